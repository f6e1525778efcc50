// Covers examples/pulse_p2p/src/pulse_node.cpp and pulse_session.cpp in one
// process: PulseNodes and a raw peer on loopback hosts (label integration).
// Never co_await inside a Catch macro (GCC may evaluate it twice).

#include "pulse_node_fixture.hpp"

using namespace chainkit;
using namespace chainkit::pulse;
using namespace chainkit::pulse::test;

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
        REQUIRE(a.add_bpm(72, "T1").ok());
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
        auto s = co_await n.greeted_stream();
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
        auto s = co_await n.greeted_stream();
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
        auto s = co_await n.greeted_stream();
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
        REQUIRE(a.add_bpm(72, "T1").ok());  // the first stream still gets relays
        auto relayed = co_await read_chain(*s1);
        CHECK(relayed.size() == 2);
        a.stop();
    });
}
