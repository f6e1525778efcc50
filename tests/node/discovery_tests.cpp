#include "node_harness.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::test;

namespace {

bool connected(const TestNode& n, const TestNode& other) {
    return has_peer(n, other.host.peer_id().to_string(), true);
}

}  // namespace

TEST_CASE("a node that only knew central finds its peers by addr and keeps syncing after central stops",
          "[node][discovery][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    auto cfg = TestNode::fast_config();
    cfg.target_outbound = 4;
    auto central = std::make_unique<TestNode>(io, genesis, 1, cfg);
    TestNode miner(io, genesis, 2, cfg);
    TestNode wallet(io, genesis, 3, cfg);
    REQUIRE(connect(io, miner, *central));  // both know only central
    REQUIRE(connect(io, wallet, *central));

    // Through getaddr / addr they learn each other and connect directly.
    REQUIRE(run_until(
        io, [&] { return connected(wallet, miner) || connected(miner, wallet); }, std::chrono::seconds(30)));

    central.reset();  // the central node goes away
    REQUIRE(run_until(io, [&] { return wallet.node.peers().size() == 1 && miner.node.peers().size() == 1; }));
    miner.mine(io, 3);
    REQUIRE(run_until(io, [&] { return wallet.height() == 3; }));
    CHECK(wallet.chain.tip().hash == miner.chain.tip().hash);
}

TEST_CASE("two miners fork; the lighter side reorgs to the heavier and gets its transactions back",
          "[node][reorg][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode a(io, genesis, 1);
    TestNode b(io, genesis, 2);
    // Apart: a mines 2 blocks holding a payment, b mines 3 empty ones.
    const auto payer = TestKey::from_seed(1);
    auto coins = a.chain.coins_for(payer.key_hash);
    REQUIRE(coins.ok());
    const auto tx = make_spend({coins->front()}, payer, {chain::TxOut{5000, TestKey::from_seed(9).key_hash}});
    a.mine(io, 1, {tx});
    a.mine(io, 1);
    b.mine(io, 3);
    REQUIRE(a.chain.tip().hash != b.chain.tip().hash);

    REQUIRE(connect(io, a, b));
    REQUIRE(run_until(io, [&] { return a.chain.tip().hash == b.chain.tip().hash; }));
    CHECK(a.height() == 3);
    // The payment of a's orphaned block is back in a's mempool.
    REQUIRE(run_until(io, [&] { return a.mempool.contains(tx.txid()); }));
}
