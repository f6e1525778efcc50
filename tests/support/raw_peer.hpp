// A scriptable chain-protocol peer for tests and benchmarks: a libp2p host
// that opens the sync stream to a node, does the version handshake by hand,
// and then sends whatever the caller says and answers with a caller-provided
// responder. The basis of the stalling, misbehaving and hostile peers.
#pragma once

#include "chainkit/node/messages.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <chainkit/net/host.hpp>
#include <chainkit/net/identity.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace chainkit::test {

class RawPeer {
    asio::io_context& m_io;
    chain::BlockHash m_genesis;
    std::uint64_t m_best_height;

public:
    using Responder = std::function<std::vector<node::Message>(const node::Message&)>;

    RawPeer(asio::io_context& io, std::uint64_t seed, chain::BlockHash genesis, std::uint64_t best_height = 0)
        : m_io(io),
          m_genesis(genesis),
          m_best_height(best_height),
          host(io.get_executor(), net::Identity::from_seed(seed)) {}
    ~RawPeer() { host.stop(); }

    // Connects to `to` and completes the handshake (false if refused); with
    // `handshake` false it opens the sync stream and sends nothing.
    bool connect(const net::Multiaddr& to, bool handshake = true) {
        std::optional<bool> ok;
        asio::co_spawn(
            m_io,
            [&]() -> asio::awaitable<void> {
                auto id = co_await host.dial(to);
                if (!id.ok()) {
                    ok = false;
                    co_return;
                }
                auto s = co_await host.open_stream(*id, std::string(node::SYNC_PROTOCOL));
                if (!s.ok()) {
                    ok = false;
                    co_return;
                }
                m_stream = *s;
                if (!handshake) {
                    ok = true;
                    co_await read_loop();
                    co_return;
                }
                node::VersionMsg v;
                v.genesis = m_genesis;
                v.best_height = m_best_height;
                v.nonce = 0xfeed0000 + m_best_height;
                co_await write(v);
                co_await write(node::VerackMsg{});
                ok = true;
                co_await read_loop();
            },
            asio::detached);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!ok && std::chrono::steady_clock::now() < deadline) {
            m_io.run_for(std::chrono::milliseconds(2));
            m_io.restart();
        }
        return ok.value_or(false);
    }

    // A responder answering getheaders from `headers` (genesis first): up to
    // 2,000 after the first locator hash it knows, as a node would.
    static Responder serve_headers(std::vector<chain::BlockHeader> headers) {
        std::unordered_map<chain::BlockHash, std::size_t, chain::HashHasher> index;
        for (std::size_t i = 0; i < headers.size(); ++i) index.emplace(headers[i].hash(), i);
        return [headers = std::move(headers), index = std::move(index)](const node::Message& m) {
            std::vector<node::Message> out;
            const auto* gh = std::get_if<node::GetHeadersMsg>(&m);
            if (!gh) return out;
            std::size_t from = 0;
            for (const auto& h : gh->locator)
                if (auto it = index.find(h); it != index.end()) {
                    from = it->second + 1;
                    break;
                }
            node::HeadersMsg reply;
            for (std::size_t i = from; i < headers.size() && reply.headers.size() < node::MAX_HEADERS_PER_MESSAGE; ++i)
                reply.headers.push_back(headers[i]);
            out.push_back(std::move(reply));
            return out;
        };
    }

    void send(node::Message m) {
        asio::co_spawn(
            m_io, [this, m = std::move(m)]() -> asio::awaitable<void> { co_await write(m); }, asio::detached);
    }
    // Sends `ms` in order from one coroutine (separate send() calls may
    // interleave once the stream's window is full).
    void send_all(std::vector<node::Message> ms) {
        asio::co_spawn(
            m_io,
            [this, ms = std::move(ms)]() -> asio::awaitable<void> {
                for (const auto& m : ms) co_await write(m);
            },
            asio::detached);
    }
    // Raw bytes as one frame (for malformed messages).
    void send_raw(chain::Bytes body) {
        asio::co_spawn(
            m_io,
            [this, body = std::move(body)]() -> asio::awaitable<void> {
                if (m_stream) (void)co_await m_stream->write_message(body);
            },
            asio::detached);
    }

    Responder responder;
    std::deque<node::Message> received;
    bool closed = false;
    net::Host host;

private:
    asio::awaitable<void> write(const node::Message& m) {
        if (!m_stream) co_return;
        const auto body = node::encode_message(m);
        (void)co_await m_stream->write_message(body);
    }
    asio::awaitable<void> read_loop() {
        while (true) {
            auto body = co_await m_stream->read_message(node::max_message_size(4'000'000));
            if (!body.ok()) break;
            auto msg = node::decode_message(*body, node::max_message_size(4'000'000));
            if (!msg.ok()) break;
            if (responder)
                for (auto& reply : responder(*msg)) co_await write(reply);
            received.push_back(std::move(*msg));
        }
        closed = true;
    }

    std::shared_ptr<net::Stream> m_stream;
};

}  // namespace chainkit::test
