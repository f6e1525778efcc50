#include "node_harness.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::test;

TEST_CASE("a new node downloads the chain headers-first from its peer", "[node][sync][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode a(io, genesis, 1);
    TestNode b(io, genesis, 2);
    a.mine(io, 300);
    REQUIRE(a.height() == 300);
    REQUIRE(connect(io, b, a));
    REQUIRE(run_until(io, [&] { return b.height() == 300; }));
    CHECK(b.chain.tip().hash == a.chain.tip().hash);
}

TEST_CASE("a block and a transaction travel along a line of 10 nodes", "[node][relay][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    std::vector<std::unique_ptr<TestNode>> nodes;
    for (std::uint64_t i = 0; i < 10; ++i) nodes.push_back(std::make_unique<TestNode>(io, genesis, 10 + i));
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) REQUIRE(connect(io, *nodes[i + 1], *nodes[i]));
    nodes[0]->mine(io, 1);
    REQUIRE(run_until(io, [&] { return nodes.back()->height() == 1; }));
    CHECK(nodes.back()->chain.tip().hash == nodes[0]->chain.tip().hash);
}

TEST_CASE("a connection to ourselves and a peer on another chain are dropped", "[node][handshake][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode a(io, genesis, 1);
    const auto other_genesis = make_genesis(node_test_params(), TestKey::from_seed(2).key_hash);
    TestNode stranger(io, other_genesis, 3);
    CHECK_FALSE(connect(io, stranger, a));
    CHECK(a.node.peers().empty());
    CHECK(stranger.node.peers().empty());

    std::optional<bool> ok;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto r = co_await a.node.connect(a.addr(), false);
            ok = r.ok();
        },
        asio::detached);
    REQUIRE(run_until(io, [&] { return ok.has_value(); }));
    CHECK_FALSE(*ok);
    CHECK(a.node.peers().empty());
}
