// Covers examples/pulse_p2p/src/pulse_node.cpp and pulse_session.cpp in one
// process: PulseNodes and a raw peer on loopback hosts (label integration).
// Never co_await inside a Catch macro (GCC may evaluate it twice).
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

using namespace chainkit;
using namespace chainkit::pulse;
using namespace std::chrono_literals;

namespace {

void run(asio::io_context& io, std::function<asio::awaitable<void>()> body, std::chrono::seconds limit = 30s) {
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

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Waits (bounded) until `cond` holds, polling while the io_context runs.
asio::awaitable<bool> eventually(std::function<bool()> cond, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) co_return false;
        co_await sleep_for(20ms);
    }
    co_return true;
}

asio::awaitable<net::Result<void>> write_text(net::Stream& s, std::string_view text) {
    co_return co_await s.write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// Chain lines as a peer reads them; the first is the node's greeting.
asio::awaitable<std::vector<Block>> read_chain(net::Stream& s) {
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

    asio::io_context io;
    net::Host host_a;
    net::Host host_b;
    net::Host raw;
    Block genesis = make_genesis(std::string(DEFAULT_GENESIS_TIMESTAMP));
};

NodeConfig slow_rewrite() {
    NodeConfig c;
    c.interval = 60s;  // relays must not wait for the periodic rewrite
    return c;
}

}  // namespace

TEST_CASE("a local block is relayed to every stream at once", "[pulse][node][integration]") {
    Net n;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, slow_rewrite());
    PulseNode b(n.io.get_executor(), n.host_b, n.genesis, slow_rewrite());
    a.start();
    b.start();
    b.connect(n.addr_a());
    run(n.io, [&]() -> asio::awaitable<void> {
        auto s = co_await n.raw_stream();
        auto greeting = co_await read_chain(*s);
        CHECK(greeting == std::vector<Block>{n.genesis});
        bool both = co_await eventually([&] { return a.stream_count() == 2; });
        REQUIRE(both);
        a.add_bpm(72, "T1");
        auto relayed = co_await read_chain(*s);
        CHECK(relayed == a.chain().blocks());
        bool at_b = co_await eventually([&] { return b.chain().size() == 2; });
        CHECK(at_b);
        CHECK(b.chain().blocks() == a.chain().blocks());
        a.stop();
        b.stop();
    });
}

TEST_CASE("a longer valid chain from a peer is adopted and relayed; invalid ones are not",
          "[pulse][node][integration]") {
    Net n;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, slow_rewrite());
    PulseNode b(n.io.get_executor(), n.host_b, n.genesis, slow_rewrite());
    a.start();
    b.start();
    b.connect(n.addr_a());
    run(n.io, [&]() -> asio::awaitable<void> {
        bool linked = co_await eventually([&] { return a.stream_count() == 1; });
        REQUIRE(linked);
        auto s = co_await n.raw_stream();
        (void)co_await read_chain(*s);
        std::vector<Block> chain{n.genesis};
        chain.push_back(generate_block(chain.back(), 60, "R1"));
        chain.push_back(generate_block(chain.back(), 61, "R2"));
        auto forged = chain;
        forged[2].bpm = 99;  // not rehashed
        auto w1 = co_await write_text(*s, to_json_line(forged));
        REQUIRE(w1);
        auto w2 = co_await write_text(*s, to_json_line(chain));
        REQUIRE(w2);
        bool adopted = co_await eventually([&] { return a.chain().size() == 3; });
        REQUIRE(adopted);
        CHECK(a.chain().blocks() == chain);
        bool relayed = co_await eventually([&] { return b.chain().blocks() == chain; });
        CHECK(relayed);
        a.stop();
        b.stop();
    });
}

TEST_CASE("repeated bad lines reset the stream and the node keeps serving", "[pulse][node][integration]") {
    Net n;
    NodeConfig cfg = slow_rewrite();
    cfg.max_faults = 3;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, cfg);
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        auto s = co_await n.raw_stream();
        (void)co_await read_chain(*s);
        auto w =
            co_await write_text(*s, "{not json\n[1,2]\n\n[]\n{\"a\":1}\n");  // blank and [] (not longer) are no faults
        REQUIRE(w);
        auto r = co_await s->read_line(MAX_LINE_BYTES);
        CHECK_FALSE(r);  // reset (or disconnected) after the third fault
        bool gone = co_await eventually([&] { return a.stream_count() == 0; });
        CHECK(gone);
        CHECK(a.chain().size() == 1);
        // A fresh stream is served as before.
        auto s2 = co_await n.raw_stream();
        auto greeting = co_await read_chain(*s2);
        CHECK(greeting == std::vector<Block>{n.genesis});
        a.stop();
    });
}

TEST_CASE("a line over the bound is refused without waiting for its end", "[pulse][node][integration]") {
    Net n;
    NodeConfig cfg = slow_rewrite();
    cfg.max_line_bytes = 4096;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, cfg);
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        auto s = co_await n.raw_stream();
        (void)co_await read_chain(*s);
        // 64 KiB without a newline: the node must reset after 4 KiB.
        std::string big(64 * 1024, '[');
        (void)co_await write_text(*s, big);
        auto r = co_await s->read_line(MAX_LINE_BYTES);
        CHECK_FALSE(r);
        bool gone = co_await eventually([&] { return a.stream_count() == 0; });
        CHECK(gone);
        a.stop();
    });
}

TEST_CASE("streams per peer are bounded", "[pulse][node][integration]") {
    Net n;
    NodeConfig cfg = slow_rewrite();
    cfg.max_streams_per_peer = 1;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, cfg);
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        auto s1 = co_await n.raw_stream();
        auto greeting = co_await read_chain(*s1);
        CHECK(greeting.size() == 1);
        auto s2 = co_await n.raw_stream();
        auto refused = co_await s2->read_line(MAX_LINE_BYTES);
        CHECK_FALSE(refused);
        CHECK(a.stream_count() == 1);
        a.add_bpm(72, "T1");  // the first stream still gets relays
        auto relayed = co_await read_chain(*s1);
        CHECK(relayed.size() == 2);
        a.stop();
    });
}
