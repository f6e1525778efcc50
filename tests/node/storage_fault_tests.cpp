// Storage faults at the node level (issue 10 section 2): a read or write
// failure of the node's own store is an error of this node, never a
// verdict on a block or a peer. The node logs it, retries the chain's
// activation (a transient fault recovers without a restart) and stops with
// that line when the fault outlives its retries; no block is marked failed
// on the way. docs/architecture.md, "Storage faults", states the policy.
#include "node_harness.hpp"
#include "support/failing_chain_store.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace chainkit;
using namespace chainkit::test;
using namespace std::chrono_literals;

namespace {

using FaultyNode = BasicTestNode<FailingChainStore>;
constexpr std::size_t SYNCED = 3;

node::NodeConfig faulty_config(std::size_t retries) {
    auto c = TestNode::fast_config();
    c.storage_retries = retries;
    c.storage_retry_delay = 50ms;
    return c;
}

// The genesis coinbase paid to TestKey 1, spent back to it: a block holding
// this reads that coin from the store when it connects.
chain::Transaction spend_genesis(const chain::Block& genesis) {
    const auto key = TestKey::from_seed(1);
    const chain::OwnedCoin c{chain::OutPoint{genesis.txs[0].txid(), 0},
                             chain::Coin{genesis.txs[0].outputs[0], 0, true}};
    return make_spend({c}, key, {chain::TxOut{c.coin.out.value - 1000, key.key_hash}});
}

void check_no_failed_marks(const FaultyNode& n) {
    auto index = n.store.inner().read_index();
    REQUIRE(index.ok());
    for (const auto& [h, rec] : *index) {
        INFO("block " << h.hex());
        CHECK_FALSE(chain::is_failed(rec.status));
        CHECK_FALSE(chain::is_failed(*n.chain.status(h)));
    }
}

struct Pair {
    asio::io_context io;
    chain::Block genesis = shared_genesis();
    TestNode honest{io, genesis, 1};
    FaultyNode victim;

    explicit Pair(std::size_t retries) : victim{io, genesis, 2, faulty_config(retries)} {
        honest.mine(io, SYNCED);
        REQUIRE(connect(io, victim, honest));
        REQUIRE(run_until(io, [&] { return victim.height() == SYNCED; }));
    }
    bool synced() const { return victim.chain.tip().hash == honest.chain.tip().hash; }
    void no_one_blamed() {
        CHECK_FALSE(victim.node.bans().is_banned(honest.host.peer_id().to_string(), GENESIS_TIME + 1'000'000));
        CHECK(victim.node.counters().blocks_rejected == 0);
        CHECK(victim.node.counters().txs_rejected == 0);
    }
};

}  // namespace

TEST_CASE("a transient coin-read fault while connecting a block: logged, retried, the tip moves on",
          "[node][storage][attack]") {
    Pair p(3);
    p.victim.store.fail_coin_reads = true;  // the next block's input cannot be read
    p.honest.mine(p.io, 1, {spend_genesis(p.genesis)});
    REQUIRE(run_until(p.io, [&] { return p.victim.logged({"storage failure", "retry 1 of 3"}); }));
    CHECK(p.victim.height() == SYNCED);
    check_no_failed_marks(p.victim);

    p.victim.store.fail_coin_reads = false;  // the fault passes; nobody clears the read error by hand
    // The chain job moves the tip before its result reaches the node: wait for both.
    REQUIRE(run_until(
        p.io,
        [&] {
            return p.synced() && p.victim.logged({"storage: retry", "succeeded"});
        },
        5s));
    CHECK_FALSE(p.victim.node.fatal_error());
    check_no_failed_marks(p.victim);
    p.no_one_blamed();
    // And it keeps following.
    p.honest.mine(p.io, 1);
    REQUIRE(run_until(p.io, [&] { return p.synced(); }));
}

TEST_CASE("a coin-read fault in a mempool check is a storage failure and the tip still moves",
          "[node][storage][mempool][attack]") {
    Pair p(3);
    p.victim.store.fail_coin_reads = true;
    std::optional<chain::ValidationResult> r;
    const auto tx = spend_genesis(p.genesis);
    asio::co_spawn(
        p.io, [&]() -> asio::awaitable<void> { r = co_await p.victim.node.submit_transaction(tx); }, asio::detached);
    REQUIRE(run_until(p.io, [&] { return r.has_value(); }));
    INFO("mempool: " << chain::to_string(r->reason) << " " << r->message);
    CHECK(r->reason == chain::RejectReason::storage_failure);  // never unknown_input, never an orphan
    CHECK(p.victim.mempool.orphans().size() == 0);
    CHECK(p.victim.logged({"storage failure", "retry 1 of 3"}));

    p.victim.store.fail_coin_reads = false;
    p.honest.mine(p.io, 1);
    REQUIRE(run_until(
        p.io, [&] { return p.synced(); }, 5s));
    CHECK_FALSE(p.victim.node.fatal_error());
    p.no_one_blamed();
}

TEST_CASE("a persistent storage fault stops the node with its message and marks no block failed",
          "[node][storage][attack]") {
    Pair p(2);
    std::optional<std::string> fatal;
    p.victim.node.on_fatal_error([&](const std::string& why) { fatal = why; });
    p.victim.store.fail_coin_reads = true;  // and it stays
    p.honest.mine(p.io, 1, {spend_genesis(p.genesis)});
    REQUIRE(run_until(
        p.io, [&] { return fatal.has_value(); }, 10s));
    INFO(*fatal);
    CHECK(fatal->find("storage failure") != std::string::npos);
    CHECK(fatal->find("injected fault reading a coin") != std::string::npos);
    CHECK(p.victim.node.fatal_error() == fatal);
    CHECK(p.victim.logged({"storage failure", "retry 2 of 2"}));
    CHECK(p.victim.logged({"stopping the node"}));
    CHECK(run_until(p.io, [&] { return p.victim.node.peers().empty(); }));
    CHECK(p.victim.height() == SYNCED);
    check_no_failed_marks(p.victim);
    p.no_one_blamed();

    // The disk repaired, a restart over the same store connects the stored block.
    p.victim.store.fail_coin_reads = false;
    p.victim.store.clear_read_error();
    chain::ChainState restarted(p.victim.params, p.victim.store);
    REQUIRE(restarted.load().ok());
    CHECK(restarted.tip().hash == p.honest.chain.tip().hash);
}
