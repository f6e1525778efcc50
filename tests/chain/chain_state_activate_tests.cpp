// Activation: a deep reorg is streamed in bounded steps and ends in the same
// state as a node that only ever saw the winning branch.
#include "chainkit/chain/chain_state.hpp"

#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <vector>

using namespace chainkit::chain;
namespace test = chainkit::test;

namespace {

std::set<OutPoint> outpoints_of(const ChainState& cs, const KeyHash& key) {
    auto coins = cs.coins_for(key);
    REQUIRE(coins.ok());
    std::set<OutPoint> out;
    for (const auto& c : *coins) out.insert(c.outpoint);
    return out;
}

}  // namespace

TEST_CASE("a 1,000-block reorg holds a bounded number of blocks and matches a fresh sync", "[chain_state][reorg]") {
    constexpr std::size_t DEPTH = 1000;
    test::TestChain tc;
    for (std::size_t i = 0; i < DEPTH; ++i) (void)tc.mine();
    REQUIRE(tc.state.height() == DEPTH);

    // A heavier branch from genesis paying another key.
    const auto other = test::TestKey::from_seed(5);
    std::vector<Block> branch;
    const Block* last = &tc.genesis;
    for (std::size_t i = 0; i <= DEPTH; ++i) {
        branch.push_back(test::build_child(*last, tc.params, other.key_hash));
        last = &branch.back();
    }
    std::size_t disconnected = 0;
    struct Counter final : ChainObserver {
        std::size_t* n;
        explicit Counter(std::size_t* c) : n(c) {}
        void on_block_connected(const Block&, std::uint64_t, std::span<const TxId>) override {}
        void on_block_disconnected(const Block&, std::uint64_t) override { ++*n; }
        void on_tip_changed(const BlockHash&, std::uint64_t) override {}
    } counter(&disconnected);
    tc.state.add_observer(&counter);

    for (std::size_t i = 0; i < DEPTH; ++i) REQUIRE(tc.state.accept_block(branch[i], tc.now()).ok());
    CHECK(tc.state.height() == DEPTH);  // equal work: the first seen stays
    const auto r = tc.state.accept_block(branch.back(), tc.now());
    REQUIRE(r.ok());
    CHECK(r.tip_changed);
    CHECK(disconnected == DEPTH);
    CHECK(tc.state.tip().hash == branch.back().hash());
    CHECK(tc.state.max_blocks_held_in_step() <= MAX_DISCONNECTS_PER_STEP + MAX_CONNECTS_PER_STEP);
    tc.state.remove_observer(&counter);

    // The same state as a node that saw only the branch.
    MemoryChainStore fresh_store;
    ChainState fresh(tc.params, fresh_store);
    REQUIRE(fresh.create(tc.genesis).ok());
    for (const auto& b : branch) REQUIRE(fresh.accept_block(b, tc.now()).ok());
    CHECK(fresh.tip().hash == tc.state.tip().hash);
    CHECK(outpoints_of(tc.state, other.key_hash) == outpoints_of(fresh, other.key_hash));
    CHECK(outpoints_of(tc.state, tc.miner.key_hash) == outpoints_of(fresh, tc.miner.key_hash));
    auto report = tc.state.verify();
    REQUIRE(report.ok());
    CHECK(report->ok);
}
