#pragma once
// Shared by the PulseNode tests: an io_context with two node hosts and a raw
// peer host on loopback, and coroutine helpers. Never co_await inside a Catch
// macro (GCC may evaluate it twice).
// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>
#include <chainkit/pulse/chain_json.hpp>
#include <chainkit/pulse/pulse_node.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <string>

namespace chainkit::pulse::test {

using namespace std::chrono_literals;

inline void run(asio::io_context& io, std::function<asio::awaitable<void>()> body, std::chrono::seconds limit = 30s) {
    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(io, body(), [&](std::exception_ptr e) {
        error = e;
        done = true;
    });
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(50ms);
    REQUIRE(done);
    if (error) std::rethrow_exception(error);
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Waits (bounded) until `cond` holds, polling while the io_context runs.
inline asio::awaitable<bool> eventually(std::function<bool()> cond, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) co_return false;
        co_await sleep_for(20ms);
    }
    co_return true;
}

inline asio::awaitable<net::Result<void>> write_text(net::Stream& s, std::string_view text) {
    co_return co_await s.write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// Chain lines as a peer reads them; the first is the node's greeting.
inline asio::awaitable<std::vector<Block>> read_chain(net::Stream& s) {
    auto line = co_await s.read_line(MAX_LINE_BYTES);
    std::vector<Block> chain;
    if (line) {
        auto v = parse_chain(*line, chain);
        REQUIRE(v.ok());
    }
    co_return chain;
}

struct Net {
    Net()
        : host_a(io.get_executor(), net::Identity::from_seed(301)),
          host_b(io.get_executor(), net::Identity::from_seed(302)),
          raw(io.get_executor(), net::Identity::from_seed(303)) {
        REQUIRE(host_a.listen(*net::Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
        REQUIRE(host_b.listen(*net::Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    }
    net::Multiaddr addr_a() const { return host_a.listen_addresses().at(0); }

    // A raw /p2p/1.0.0 stream from `raw` to host A.
    asio::awaitable<std::shared_ptr<net::Stream>> raw_stream() {
        auto peer = co_await raw.dial(addr_a());
        REQUIRE(peer);
        auto s = co_await raw.open_stream(*peer, std::string(PROTOCOL));
        REQUIRE(s);
        co_return *s;
    }

    // A raw stream whose greeting (A's chain, sent as it opens) was read.
    asio::awaitable<std::shared_ptr<net::Stream>> greeted_stream();

    asio::io_context io;
    net::Host host_a;
    net::Host host_b;
    net::Host raw;
    Block genesis = make_genesis(std::string(DEFAULT_GENESIS_TIMESTAMP));
};

inline asio::awaitable<std::shared_ptr<net::Stream>> Net::greeted_stream() {
    auto s = co_await raw_stream();
    (void)co_await read_chain(*s);
    co_return s;
}

inline NodeConfig slow_rewrite() {
    NodeConfig c;
    c.interval = 60s;  // relays must not wait for the periodic rewrite
    return c;
}

}  // namespace chainkit::pulse::test
