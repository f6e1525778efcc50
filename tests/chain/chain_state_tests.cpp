// ChainState over the in-memory store: failure marks. (The chain state's
// behaviour on both backends is covered in tests/store/chain_state_tests.cpp.)
#include "chainkit/chain/chain_state.hpp"

#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

#include <optional>

using namespace chainkit::chain;
using chainkit::test::TestChain;

namespace {

// The status the store's block index records for `hash`.
std::optional<BlockStatus> stored_status(const TestChain& tc, const BlockHash& hash) {
    auto index = tc.store.read_index();
    REQUIRE(index.ok());
    for (const auto& [h, rec] : *index)
        if (h == hash) return rec.status;
    return std::nullopt;
}

}  // namespace

TEST_CASE("a block on a failed block is marked failed_parent, in memory and in the store", "[chain_state]") {
    TestChain tc;
    // Spends an output that never existed: passes check_block, fails to connect.
    const OwnedCoin ghost{OutPoint{TxId{}, 3}, Coin{TxOut{1'000, tc.miner.key_hash}, 0, false}};
    const auto bad = tc.build({chainkit::test::make_spend({ghost}, tc.miner, {TxOut{900, tc.miner.key_hash}})}, 100);
    CHECK(tc.state.accept_block(bad, tc.now()).validation.reason == RejectReason::missing_input);
    CHECK(tc.state.status(bad.hash()) == BlockStatus::failed);
    CHECK(stored_status(tc, bad.hash()) == BlockStatus::failed);

    // Its child arrives after the failure is known.
    const auto child = chainkit::test::build_child(bad, tc.params, tc.miner.key_hash);
    CHECK(tc.state.accept_block(child, tc.now()).validation.reason == RejectReason::invalid_parent);
    CHECK(tc.state.status(child.hash()) == BlockStatus::failed_parent);
    CHECK(stored_status(tc, child.hash()) == BlockStatus::failed_parent);
    CHECK(tc.state.status(bad.hash()) == BlockStatus::failed);
    CHECK(tc.state.tip().hash == tc.genesis.hash());
    CHECK(tc.state.accept_block(bad, tc.now()).validation.reason == RejectReason::known_invalid);
    CHECK(tc.state.accept_header(child.header, tc.now()).validation.reason == RejectReason::known_invalid);
}

TEST_CASE("an invalid orphan is blamed on the peer that sent it", "[chain_state]") {
    TestChain tc;
    const auto parent = tc.build();
    // Spends an output that never existed: passes check_block, fails to connect.
    const OwnedCoin ghost{OutPoint{TxId{}, 3}, Coin{TxOut{1'000, tc.miner.key_hash}, 0, false}};
    const auto bad = chainkit::test::build_child(
        parent, tc.params, tc.miner.key_hash, {chainkit::test::make_spend({ghost}, tc.miner, {TxOut{900, {}}})}, 100);
    const auto grandchild = chainkit::test::build_child(bad, tc.params, tc.miner.key_hash);
    const PeerTag liar = 7, relay = 8;
    CHECK(tc.state.accept_block(bad, tc.now(), liar).orphan);
    CHECK(tc.state.accept_block(grandchild, tc.now(), relay).orphan);

    const auto r = tc.state.accept_block(parent, tc.now());  // from this node
    CHECK(r.ok());
    CHECK(tc.state.tip().hash == parent.hash());
    REQUIRE(r.orphans.size() == 2);
    CHECK(r.orphans[0].hash == bad.hash());
    CHECK(r.orphans[0].from == liar);
    CHECK(r.orphans[0].validation.reason == RejectReason::missing_input);
    CHECK(r.orphans[1].hash == grandchild.hash());
    CHECK(r.orphans[1].from == relay);
    CHECK(r.orphans[1].validation.reason == RejectReason::invalid_parent);
}
