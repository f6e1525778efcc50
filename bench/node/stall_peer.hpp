// A peer that stalls a download (adapted from tests/node/raw_peer.hpp): it
// opens the sync stream to a node, announces the whole chain in its version,
// answers getheaders from the chain's headers, and never sends a block.
#pragma once

#include "chainkit/node/messages.hpp"

#include "bench_node.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace chainkit::bench {

class StallPeer {
public:
    // `headers` starts with the genesis header.
    StallPeer(asio::io_context& io, std::uint64_t seed, std::vector<chain::BlockHeader> headers)
        : m_io(io), m_headers(std::move(headers)), host(io.get_executor(), net::Identity::from_seed(seed)) {
        for (std::size_t i = 0; i < m_headers.size(); ++i) m_index.emplace(m_headers[i].hash(), i);
    }
    ~StallPeer() { host.stop(); }
    StallPeer(const StallPeer&) = delete;
    StallPeer& operator=(const StallPeer&) = delete;

    // Connects to `to` and sends version and verack; false if refused.
    bool connect(const net::Multiaddr& to) {
        std::optional<bool> ok;
        asio::co_spawn(
            m_io,
            [this, to, &ok]() -> asio::awaitable<void> {
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
                node::VersionMsg v;
                v.genesis = m_headers.front().hash();
                v.best_height = m_headers.size() - 1;
                v.nonce = 0xfeed0000;
                co_await write(v);
                co_await write(node::VerackMsg{});
                ok = true;
                co_await read_loop();
            },
            asio::detached);
        return run_until(
                   m_io, [&] { return ok.has_value(); }, std::chrono::seconds(20)) &&
               *ok;
    }

private:
    // Up to 2,000 headers after the first locator hash we know.
    node::HeadersMsg headers_after(const node::GetHeadersMsg& m) const {
        std::size_t from = 0;
        for (const auto& h : m.locator)
            if (auto it = m_index.find(h); it != m_index.end()) {
                from = it->second + 1;
                break;
            }
        node::HeadersMsg out;
        for (std::size_t i = from; i < m_headers.size() && out.headers.size() < 2000; ++i)
            out.headers.push_back(m_headers[i]);
        return out;
    }
    asio::awaitable<void> write(const node::Message& m) {
        if (m_stream) (void)co_await m_stream->write_message(node::encode_message(m));
    }
    asio::awaitable<void> read_loop() {
        while (true) {
            auto body = co_await m_stream->read_message(node::max_message_size(4'000'000));
            if (!body.ok()) break;
            auto msg = node::decode_message(*body, node::max_message_size(4'000'000));
            if (!msg.ok()) break;
            if (const auto* gh = std::get_if<node::GetHeadersMsg>(&*msg)) co_await write(headers_after(*gh));
        }
        closed = true;
    }

    asio::io_context& m_io;
    std::vector<chain::BlockHeader> m_headers;
    std::unordered_map<chain::BlockHash, std::size_t, chain::HashHasher> m_index;
    std::shared_ptr<net::Stream> m_stream;

public:
    bool closed = false;  // the node ended the stream (it detected the stall)
    net::Host host;
};

}  // namespace chainkit::bench
