#include "node_harness.hpp"
#include "support/raw_peer.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::test;

TEST_CASE("headers-first sync of 2,000 blocks from three peers, one of which stalls",
          "[node][sync][stall][integration]") {
    asio::io_context io;
    TestChain source;  // builds the chain once; the peers load it
    std::vector<chain::Block> blocks;
    for (int i = 0; i < 2000; ++i) blocks.push_back(source.mine());
    std::vector<chain::BlockHeader> headers;
    for (const auto& b : blocks) headers.push_back(b.header);

    TestNode a(io, source.genesis, 1);
    TestNode b(io, source.genesis, 2);
    for (auto* n : {&a, &b})
        for (const auto& blk : blocks) REQUIRE(n->chain.accept_block(blk, source.now()).ok());
    TestNode fresh(io, source.genesis, 3);

    // The staller announces the whole chain and answers headers, but never a block.
    RawPeer staller(io, 4, source.genesis.hash(), 2000);
    staller.responder = RawPeer::serve_headers(headers);
    REQUIRE(staller.connect(fresh.addr()));  // first, so it gets the first blocks of the window
    REQUIRE(run_until(io, [&] {
        for (const auto& p : fresh.node.peers())
            if (p.blocks_in_flight > 0) return true;
        return false;
    }));
    REQUIRE(connect(io, fresh, a));
    REQUIRE(connect(io, fresh, b));

    const auto start = std::chrono::steady_clock::now();
    REQUIRE(run_until(
        io, [&] { return fresh.height() == 2000; }, std::chrono::seconds(60)));
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(fresh.chain.tip().hash == blocks.back().hash());
    CHECK(staller.closed);  // detected and dropped
    for (const auto& p : fresh.node.peers()) CHECK(p.peer_id != staller.host.peer_id().to_string());
    INFO("sync took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}
