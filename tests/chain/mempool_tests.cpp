// Mempool admission: what it accepts, what it refuses by name, double
// spends and chains of unconfirmed transactions.
#include "chainkit/chain/mempool.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::coin_of;
using chainkit::test::FEE;
using chainkit::test::pay;
using chainkit::test::PoolFixture;

namespace {

struct Recorder final : ChainObserver {
    std::vector<TxId> accepted;
    void on_tx_accepted(const Transaction& tx) override { accepted.push_back(tx.txid()); }
};

}  // namespace

TEST_CASE("mempool accepts a valid spend and answers queries", "[mempool]") {
    PoolFixture f;
    Recorder rec;
    f.pool.add_observer(&rec);
    const auto coin = f.chain.fund(f.alice, 50 * COIN);
    const auto tx = pay({coin}, f.alice, f.bob.key_hash, FEE);
    auto r = f.pool.accept(tx);
    REQUIRE(r.ok());
    CHECK(f.pool.contains(tx.txid()));
    CHECK(f.pool.size() == 1);
    CHECK(f.pool.bytes() == tx.serialized_size());
    REQUIRE(f.pool.get(tx.txid()) != nullptr);
    CHECK(f.pool.get(tx.txid())->fee == FEE);
    CHECK(f.pool.get(TxId{}) == nullptr);
    REQUIRE(f.pool.spender_of(coin.outpoint) != nullptr);
    CHECK(*f.pool.spender_of(coin.outpoint) == tx.txid());
    CHECK(rec.accepted == std::vector<TxId>{tx.txid()});

    const auto spends = f.pool.spends_of(f.alice.key_hash);
    REQUIRE(spends.size() == 1);
    CHECK(spends[0].prevout == coin.outpoint);
    CHECK(spends[0].spent.value == 50 * COIN);
    CHECK(spends[0].spender == tx.txid());
    CHECK(f.pool.outputs_to(f.alice.key_hash).empty());
    const auto outs = f.pool.outputs_to(f.bob.key_hash);
    REQUIRE(outs.size() == 1);
    CHECK(outs[0].outpoint == OutPoint{tx.txid(), 0});
    CHECK(outs[0].out.value == 50 * COIN - FEE);
    CHECK(f.pool.spends_of(f.bob.key_hash).empty());

    CHECK(f.reason(tx) == RejectReason::already_have);
    CHECK(f.pool.size() == 1);
    CHECK(rec.accepted.size() == 1);
}

TEST_CASE("mempool refuses coinbases and stateless failures by name", "[mempool]") {
    PoolFixture f;
    CHECK(f.reason(make_coinbase(1, COIN, f.alice.key_hash)) == RejectReason::coinbase_outside_block);

    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    Transaction no_in;
    no_in.outputs.push_back(TxOut{COIN, f.bob.key_hash});
    CHECK(f.reason(no_in) == RejectReason::tx_no_inputs);
    CHECK(f.reason(chainkit::test::make_spend({coin}, f.alice, {})) == RejectReason::tx_no_outputs);
    CHECK(f.reason(chainkit::test::make_spend({coin}, f.alice, {TxOut{-1, f.bob.key_hash}})) ==
          RejectReason::bad_output_value);
    CHECK(f.reason(chainkit::test::make_spend({coin}, f.alice,
                                              {TxOut{MAX_MONEY, f.bob.key_hash}, TxOut{MAX_MONEY, f.bob.key_hash}})) ==
          RejectReason::output_sum_overflow);
    CHECK(f.reason(pay({coin, coin}, f.alice, f.bob.key_hash, FEE)) == RejectReason::duplicate_input);
    chainkit::chain::OwnedCoin null_coin{OutPoint{}, coin.coin};
    CHECK(f.reason(pay({coin, null_coin}, f.alice, f.bob.key_hash, FEE)) == RejectReason::null_prevout);

    ConsensusParams small = f.params;
    small.max_block_size = 300;
    Mempool tight(small, f.chain.utxo, 0);
    CHECK(
        tight
            .accept(pay({coin, f.chain.fund(f.alice, COIN), f.chain.fund(f.alice, COIN)}, f.alice, f.bob.key_hash, FEE))
            .reason == RejectReason::tx_too_large);
    CHECK(f.pool.size() == 0);
    CHECK(tight.size() == 0);
}

TEST_CASE("mempool refuses contextual failures by name", "[mempool]") {
    PoolFixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);

    SECTION("an input nobody has: unknown (parent not seen yet, or spent)") {
        auto ghost = coin;
        ghost.outpoint.index = 7;
        CHECK(f.reason(pay({ghost}, f.alice, f.bob.key_hash, FEE)) == RejectReason::unknown_input);
    }
    SECTION("an output index its pool parent does not have") {
        const auto parent = pay({coin}, f.alice, f.alice.key_hash, FEE);
        REQUIRE(f.pool.accept(parent).ok());
        auto ghost = coin_of(parent, 0);
        ghost.outpoint.index = 5;
        CHECK(f.reason(pay({ghost}, f.alice, f.bob.key_hash, FEE)) == RejectReason::no_such_output);
    }
    SECTION("key that does not own the output") {
        CHECK(f.reason(pay({coin}, f.bob, f.bob.key_hash, FEE)) == RejectReason::pubkey_mismatch);
    }
    SECTION("bad signature") {
        auto tx = pay({coin}, f.alice, f.bob.key_hash, FEE);
        tx.inputs[0].signature[5] ^= 1;
        CHECK(f.reason(tx) == RejectReason::bad_signature);
    }
    SECTION("outputs above inputs") {
        CHECK(f.reason(pay({coin}, f.alice, f.bob.key_hash, -1)) == RejectReason::inputs_below_outputs);
    }
    SECTION("fee below the floor, exactly at the floor") {
        const auto low = pay({coin}, f.alice, f.bob.key_hash, 10);
        CHECK(f.reason(low) == RejectReason::fee_too_low);
        const auto exact = pay({coin}, f.alice, f.bob.key_hash, static_cast<Amount>(low.serialized_size()));
        CHECK(f.pool.accept(exact).ok());
    }
    SECTION("immature coinbase, mature one block later") {
        ConsensusParams p = f.params;
        p.coinbase_maturity = 5;
        Mempool pool(p, f.chain.utxo, 4);
        const auto young = f.chain.fund(f.alice, 10 * COIN, /*coinbase=*/true, /*height=*/1);
        const auto tx = pay({young}, f.alice, f.bob.key_hash, FEE);
        // Spend height 5 < 1 + 5; a peer one block ahead sees it mature: no fault.
        CHECK(pool.accept(tx).reason == RejectReason::premature_spend);
        pool.on_tip_changed(BlockHash{}, 5);
        CHECK(pool.accept(tx).ok());
    }
    SECTION("already confirmed") {
        const auto tx = pay({coin}, f.alice, f.bob.key_hash, FEE);
        f.chain.apply_connect(f.chain.build({tx}, f.alice.key_hash, FEE));
        CHECK(f.reason(tx) == RejectReason::already_have);
    }
    CHECK(f.pool.size() <= 1);
}

TEST_CASE("double spends: against the chain and within the pool", "[mempool]") {
    PoolFixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    const auto to_bob = pay({coin}, f.alice, f.bob.key_hash, FEE);
    const auto to_self = pay({coin}, f.alice, f.alice.key_hash, 2 * FEE);
    REQUIRE(f.pool.accept(to_bob).ok());
    // No replacement: the first spend seen keeps the output, even at a higher fee.
    CHECK(f.reason(to_self) == RejectReason::mempool_conflict);
    CHECK(f.pool.size() == 1);
    CHECK(f.pool.contains(to_bob.txid()));

    // Once the chain spends an output, another spend of it is unknown_input:
    // the UTXO set cannot tell it from a parent not seen yet.
    const auto other = f.chain.fund(f.alice, 5 * COIN);
    const auto confirmed = pay({other}, f.alice, f.alice.key_hash, FEE);
    f.chain.connect(f.chain.build({confirmed}, f.bob.key_hash, FEE), f.pool);
    CHECK(f.reason(pay({other}, f.alice, f.bob.key_hash, FEE)) == RejectReason::unknown_input);
}

TEST_CASE("chains of unconfirmed transactions", "[mempool]") {
    PoolFixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    const auto parent = pay({coin}, f.alice, f.bob.key_hash, FEE);
    const auto child = pay({coin_of(parent, 0)}, f.bob, f.alice.key_hash, FEE);
    const auto grandchild = pay({coin_of(child, 0)}, f.alice, f.bob.key_hash, FEE);

    CHECK(f.reason(child) == RejectReason::unknown_input);  // parent unknown yet
    REQUIRE(f.pool.accept(parent).ok());
    REQUIRE(f.pool.accept(child).ok());
    REQUIRE(f.pool.accept(grandchild).ok());
    CHECK(f.pool.parents_in_pool(*f.pool.get(grandchild.txid())) == std::vector<TxId>{child.txid()});
    CHECK(f.pool.parents_in_pool(*f.pool.get(parent.txid())).empty());

    // A second spend of the parent's output conflicts with the child.
    CHECK(f.reason(pay({coin_of(parent, 0)}, f.bob, f.bob.key_hash, 2 * FEE)) == RejectReason::mempool_conflict);

    // Bob's unconfirmed output was spent by the child: only the grandchild's remains.
    const auto outs = f.pool.outputs_to(f.bob.key_hash);
    REQUIRE(outs.size() == 1);
    CHECK(outs[0].outpoint.txid == grandchild.txid());
    CHECK(f.pool.spends_of(f.bob.key_hash).size() == 1);

    const auto all = f.pool.entries();
    REQUIRE(all.size() == 3);
    CHECK(all[0]->txid == parent.txid());
    CHECK(all[1]->txid == child.txid());
    CHECK(all[2]->txid == grandchild.txid());
}
