// A load client of load_bench: a bare libp2p host that speaks just enough of
// the chain protocol (version, verack, ping/pong) to push pre-encoded `tx`
// messages at a node as fast as the stream takes them, or, as a prober, to
// send a chain-protocol ping every `ping_every` and time each pong.
//
// Thread-safety: all of it runs on the io_context given to the constructor;
// the atomics and the mutex-guarded RTT list are read from the driver.
#pragma once

#include "chainkit/node/messages.hpp"

#include "scale_cluster.hpp"

#include <asio/steady_timer.hpp>

#include <mutex>

namespace chainkit::bench {

class LoadPeer {
public:
    LoadPeer(asio::io_context& io, std::uint64_t seed, const chain::BlockHash& genesis, std::uint64_t height)
        : host(io.get_executor(), net::Identity::from_seed(seed)), m_io(io), m_genesis(genesis), m_height(height) {}
    ~LoadPeer() { host.stop(); }
    LoadPeer(const LoadPeer&) = delete;
    LoadPeer& operator=(const LoadPeer&) = delete;

    // Messages to send once flood() is called (encoded tx messages).
    std::vector<std::vector<std::uint8_t>> queue;

    // Dials `to` and handshakes; `ready` turns 1 (or -1 on failure).
    void start(const net::Multiaddr& to, std::chrono::milliseconds ping_every = std::chrono::milliseconds(0)) {
        m_ping_every = ping_every;
        asio::co_spawn(m_io, run(to), asio::detached);
    }
    void flood(Clock::time_point until) {
        asio::post(m_io, [this, until] {
            m_until = until;
            m_flooding = true;
        });
    }
    void stop() {
        asio::post(m_io, [this] { m_stopping = true; });
    }

    std::vector<double> rtts_ms() {
        std::lock_guard lock(m_mutex);
        return m_rtts;
    }
    // Milliseconds the current ping has waited (0 if none is out).
    double outstanding_ms() const {
        const auto s = m_ping_out_ns.load();
        return s == 0 ? 0 : static_cast<double>(now_ns() - s) / 1e6;
    }

    std::atomic<int> ready{0};
    std::atomic<std::size_t> sent{0};
    net::Host host;

private:
    asio::awaitable<void> run(net::Multiaddr to) {
        auto id = co_await host.dial(to);
        if (!id.ok()) {
            ready = -1;
            co_return;
        }
        auto s = co_await host.open_stream(*id, std::string(node::SYNC_PROTOCOL));
        if (!s.ok()) {
            ready = -1;
            co_return;
        }
        m_stream = *s;
        node::VersionMsg v;
        v.genesis = m_genesis;
        v.best_height = m_height;
        v.nonce = 0x10ad0000 + reinterpret_cast<std::uintptr_t>(this) % 0xffff;
        v.user_agent = "load_bench";
        if (!co_await write(node::encode_message(v)) || !co_await write(node::encode_message(node::VerackMsg{}))) {
            ready = -1;
            co_return;
        }
        ready = 1;
        asio::co_spawn(m_io, read_loop(), asio::detached);
        co_await write_loop();
    }

    asio::awaitable<bool> write(const std::vector<std::uint8_t>& body) {
        auto r = co_await m_stream->write_message(body);
        co_return r.ok();
    }

    // One writer: pongs first, then a due ping, then the next transaction.
    asio::awaitable<void> write_loop() {
        asio::steady_timer timer(m_io);
        auto next_ping = Clock::now();
        while (!m_stopping) {
            bool ok = true;
            if (m_pong) {
                const auto n = *m_pong;
                m_pong.reset();
                ok = co_await write(node::encode_message(node::PongMsg{n}));
            } else if (m_headers_asked) {
                m_headers_asked = false;  // we have nothing the node lacks
                ok = co_await write(node::encode_message(node::HeadersMsg{}));
            } else if (m_ping_every.count() > 0 && m_ping_out_ns == 0 && Clock::now() >= next_ping) {
                next_ping = Clock::now() + m_ping_every;
                m_ping_out_ns = now_ns();
                ok = co_await write(node::encode_message(node::PingMsg{++m_ping_nonce}));
            } else if (m_flooding && m_next < queue.size() && Clock::now() < m_until) {
                ok = co_await write(queue[m_next++]);
                sent.fetch_add(1, std::memory_order_relaxed);
            } else {
                timer.expires_after(std::chrono::milliseconds(2));
                co_await timer.async_wait(asio::use_awaitable);
            }
            if (!ok) break;
        }
    }

    asio::awaitable<void> read_loop() {
        const auto limit = node::max_message_size(4'000'000);
        while (!m_stopping) {
            auto body = co_await m_stream->read_message(limit);
            if (!body.ok()) break;
            auto msg = node::decode_message(*body, limit);
            if (!msg.ok()) break;
            if (const auto* p = std::get_if<node::PingMsg>(&*msg)) m_pong = p->nonce;
            if (std::holds_alternative<node::GetHeadersMsg>(*msg)) m_headers_asked = true;
            if (const auto* p = std::get_if<node::PongMsg>(&*msg); p && p->nonce == m_ping_nonce && m_ping_out_ns) {
                std::lock_guard lock(m_mutex);
                m_rtts.push_back(static_cast<double>(now_ns() - m_ping_out_ns) / 1e6);
                m_ping_out_ns = 0;
            }
        }
    }

    asio::io_context& m_io;
    chain::BlockHash m_genesis;
    std::uint64_t m_height;
    std::shared_ptr<net::Stream> m_stream;
    std::chrono::milliseconds m_ping_every{0};
    std::optional<std::uint64_t> m_pong;
    bool m_headers_asked = false;
    std::uint64_t m_ping_nonce = 0;
    std::atomic<std::int64_t> m_ping_out_ns{0};
    bool m_flooding = false;
    bool m_stopping = false;
    Clock::time_point m_until;
    std::size_t m_next = 0;
    std::mutex m_mutex;
    std::vector<double> m_rtts;
};

}  // namespace chainkit::bench
