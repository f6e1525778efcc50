// A storage fault is an error, never a consensus verdict (issue 10 section
// 2): with a store that fails on command, a block whose coins cannot be read
// or whose batch cannot be written is answered storage_failure, keeps an
// acceptable status in memory and on disk, and connects once the fault is
// gone. Block and undo reads during a reorg, a write failing after the body
// is stored, and reindex under each of those faults likewise. A fault seen
// only by a mempool check is reported to its caller and does not linger.
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/mempool.hpp"

#include "support/failing_chain_store.hpp"
#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

#include <optional>

using namespace chainkit::chain;
using chainkit::test::FailingChainStore;
using chainkit::test::TestKey;

namespace {

struct FaultyNode {
    ConsensusParams params = params_for(Network::regtest);
    TestKey miner = TestKey::from_seed(1);
    FailingChainStore store;
    ChainState state{params, store};
    Block genesis = chainkit::test::make_genesis(params, miner.key_hash);

    FaultyNode() { REQUIRE(state.create(genesis).ok()); }
    [[nodiscard]] std::int64_t now() const { return chainkit::test::GENESIS_TIME + 10'000'000; }
    Block build_on(const Block& prev, std::vector<Transaction> txs = {}, Amount fees = 0) {
        return chainkit::test::build_child(prev, params, miner.key_hash, std::move(txs), fees);
    }
    // Spends output 0 of `b`'s coinbase (created at `height`) back to the miner.
    Transaction spend_coinbase(const Block& b, std::uint64_t height) {
        const OwnedCoin c{OutPoint{b.txs[0].txid(), 0}, Coin{b.txs[0].outputs[0], height, true}};
        return chainkit::test::make_spend({c}, miner, {TxOut{c.coin.out.value - 100, miner.key_hash}});
    }
    [[nodiscard]] std::optional<BlockStatus> stored_status(const BlockHash& hash) const {
        auto index = store.inner().read_index();
        REQUIRE(index.ok());
        for (const auto& [h, rec] : *index)
            if (h == hash) return rec.status;
        return std::nullopt;
    }
    void heal() {
        store.fail_coin_reads = store.fail_block_reads = store.fail_writes = false;
        store.writes_before_failure = -1;
        store.clear_read_error();
    }
    // Nothing failed, in memory or in the store.
    void check_no_failed_marks() {
        auto index = store.inner().read_index();
        REQUIRE(index.ok());
        for (const auto& [h, rec] : *index) {
            INFO("block " << h.hex());
            CHECK_FALSE(is_failed(rec.status));
            CHECK_FALSE(is_failed(*state.status(h)));
        }
    }
    // Active chain a (3 blocks of ours) and a stored heavier-to-be branch b
    // (3 blocks, equal work: not active); b[4] is returned to trigger the reorg.
    Block prepare_reorg(std::vector<Block>& a, std::vector<Block>& b) {
        a = b = {genesis};
        for (int i = 0; i < 3; ++i) {
            a.push_back(build_on(a.back()));
            REQUIRE(state.accept_block(a.back(), now()).ok());
        }
        const auto other = TestKey::from_seed(7);
        for (int i = 0; i < 4; ++i) b.push_back(chainkit::test::build_child(b.back(), params, other.key_hash));
        for (int i = 1; i < 4; ++i) REQUIRE(state.accept_block(b[static_cast<std::size_t>(i)], now()).ok());
        REQUIRE(state.tip().hash == a.back().hash());
        return b[4];
    }
};

}  // namespace

TEST_CASE("an unreadable coin is a storage failure, never a failed block", "[chain_state][attack]") {
    FaultyNode n;
    const auto b1 = n.build_on(n.genesis, {n.spend_coinbase(n.genesis, 0)}, 100);
    const auto b2 = n.build_on(b1);
    n.store.fail_coin_reads = true;
    const auto r = n.state.accept_block(b1, n.now());
    CHECK(r.validation.reason == RejectReason::storage_failure);
    CHECK_FALSE(is_failed(*n.state.status(b1.hash())));
    CHECK_FALSE(is_failed(*n.stored_status(b1.hash())));
    CHECK(n.state.tip().hash == n.genesis.hash());

    // The fault goes away: the next block connects both (in this process),
    // and a restart over the same store would too.
    n.heal();
    const auto r2 = n.state.accept_block(b2, n.now());
    INFO(r2.validation.message);
    CHECK(r2.ok());
    CHECK(n.state.tip().hash == b2.hash());
}

TEST_CASE("a restart after a coin read fault connects the stored block", "[chain_state][attack]") {
    FaultyNode n;
    const auto b1 = n.build_on(n.genesis, {n.spend_coinbase(n.genesis, 0)}, 100);
    n.store.fail_coin_reads = true;
    CHECK(n.state.accept_block(b1, n.now()).validation.reason == RejectReason::storage_failure);
    n.heal();
    ChainState restarted(n.params, n.store);
    REQUIRE(restarted.load().ok());
    CHECK(restarted.tip().hash == b1.hash());
}

TEST_CASE("a failed write is a storage failure and the block is accepted later", "[chain_state][attack]") {
    FaultyNode n;
    const auto b1 = n.build_on(n.genesis, {n.spend_coinbase(n.genesis, 0)}, 100);
    n.store.fail_writes = true;
    CHECK(n.state.accept_block(b1, n.now()).validation.reason == RejectReason::storage_failure);
    CHECK_FALSE(is_failed(*n.state.status(b1.hash())));
    n.heal();
    const auto r = n.state.accept_block(b1, n.now());
    INFO(r.validation.message);
    CHECK(r.ok());
    CHECK(n.state.tip().hash == b1.hash());
}

TEST_CASE("reindex under a coin read fault fails with an error and marks nothing", "[chain_state][attack]") {
    FaultyNode n;
    // More blocks than one activation step, the last spending block 1's
    // coinbase: reindex's second step reads that coin from the store.
    std::vector<Block> chain{n.genesis};
    for (std::size_t i = 0; i <= MAX_CONNECTS_PER_STEP; ++i) {
        chain.push_back(n.build_on(chain.back()));
        REQUIRE(n.state.accept_block(chain.back(), n.now()).ok());
    }
    const auto last = n.build_on(chain.back(), {n.spend_coinbase(chain[1], 1)}, 100);
    REQUIRE(n.state.accept_block(last, n.now()).ok());

    n.store.fail_coin_reads = true;
    const auto r = n.state.reindex();
    CHECK_FALSE(r.ok());
    CHECK_FALSE(is_failed(*n.state.status(last.hash())));
    CHECK_FALSE(is_failed(*n.stored_status(last.hash())));

    n.heal();
    ChainState restarted(n.params, n.store);  // resumes the interrupted reindex
    REQUIRE(restarted.load().ok());
    CHECK(restarted.tip().hash == last.hash());
    auto report = restarted.verify();
    REQUIRE(report.ok());
    CHECK(report->ok);
}

TEST_CASE("block and undo reads failing during a reorg: an error, nothing marked, a restart reorgs",
          "[chain_state][attack]") {
    FaultyNode n;
    std::vector<Block> a, b;
    const auto trigger = n.prepare_reorg(a, b);
    n.store.fail_block_reads = true;  // the disconnect of a[3] cannot read its block or undo data
    const auto r = n.state.accept_block(trigger, n.now());
    INFO(to_string(r.validation.reason) << " " << r.validation.message);
    CHECK(r.validation.reason == RejectReason::storage_failure);
    CHECK(n.state.tip().hash == a.back().hash());
    n.check_no_failed_marks();

    n.heal();
    ChainState restarted(n.params, n.store);
    REQUIRE(restarted.load().ok());
    CHECK(restarted.tip().hash == trigger.hash());
}

TEST_CASE("a write failing after the body is stored (mid-reorg): nothing marked, a restart reorgs",
          "[chain_state][attack]") {
    FaultyNode n;
    std::vector<Block> a, b;
    const auto trigger = n.prepare_reorg(a, b);
    n.store.writes_before_failure = 1;  // the body is stored, the activation step's batch fails
    const auto r = n.state.accept_block(trigger, n.now());
    INFO(to_string(r.validation.reason) << " " << r.validation.message);
    CHECK(r.validation.reason == RejectReason::storage_failure);
    CHECK(n.state.tip().hash == a.back().hash());
    n.check_no_failed_marks();
    CHECK(n.stored_status(trigger.hash()) == BlockStatus::data_stored);

    n.heal();
    ChainState restarted(n.params, n.store);
    REQUIRE(restarted.load().ok());
    CHECK(restarted.tip().hash == trigger.hash());
    auto report = restarted.verify();
    REQUIRE(report.ok());
    CHECK(report->ok);
}

TEST_CASE("reindex under block-read faults and under write faults: nothing marked, a restart recovers",
          "[chain_state][attack]") {
    enum class Fault { block_reads, first_step_write, reset_write };
    const auto fault = GENERATE(Fault::block_reads, Fault::first_step_write, Fault::reset_write);
    INFO("fault " << static_cast<int>(fault));
    FaultyNode n;
    std::vector<Block> chain{n.genesis};
    for (std::size_t i = 0; i <= MAX_CONNECTS_PER_STEP + 5; ++i) {
        chain.push_back(n.build_on(chain.back()));
        REQUIRE(n.state.accept_block(chain.back(), n.now()).ok());
    }
    if (fault == Fault::block_reads) n.store.fail_block_reads = true;
    if (fault == Fault::first_step_write) n.store.writes_before_failure = 1;  // the reset is written, then none
    if (fault == Fault::reset_write) n.store.writes_before_failure = 0;
    CHECK_FALSE(n.state.reindex().ok());
    n.check_no_failed_marks();

    n.heal();
    ChainState restarted(n.params, n.store);
    REQUIRE(restarted.load().ok());
    CHECK(restarted.tip().hash == chain.back().hash());
    auto report = restarted.verify();
    REQUIRE(report.ok());
    CHECK(report->ok);
}

TEST_CASE("a coin-read fault in a mempool check is a storage failure and does not stall the chain",
          "[chain_state][mempool][attack]") {
    FaultyNode n;
    Mempool pool(n.params, n.state.utxo(), n.state.height());
    const OwnedCoin g{OutPoint{n.genesis.txs[0].txid(), 0}, Coin{n.genesis.txs[0].outputs[0], 0, true}};
    const auto tx = chainkit::test::make_spend({g}, n.miner, {TxOut{g.coin.out.value - 1000, n.miner.key_hash}});
    n.store.fail_coin_reads = true;  // one transient fault, seen by the mempool only
    const auto r = pool.accept(tx, 5, n.now());
    INFO("mempool: " << to_string(r.validation.reason) << " " << r.validation.message);
    CHECK(r.validation.reason == RejectReason::storage_failure);  // not a verdict on the transaction
    CHECK_FALSE(r.orphaned);
    CHECK(pool.orphans().size() == 0);

    n.store.fail_coin_reads = false;  // the disk recovers; no one clears the error by hand
    const auto b1 = n.build_on(n.genesis);
    const auto a = n.state.accept_block(b1, n.now());
    INFO("block after recovery: " << to_string(a.validation.reason) << " " << a.validation.message);
    CHECK(a.ok());
    CHECK(n.state.tip().hash == b1.hash());
    // And the transaction is accepted once offered again.
    CHECK(pool.accept(tx, 5, n.now()).ok());
}
