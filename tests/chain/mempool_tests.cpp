#include "chainkit/chain/block_template.hpp"
#include "chainkit/chain/mempool.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace chainkit::chain;
using chainkit::test::coin_of;
using chainkit::test::MemoryChain;
using chainkit::test::pay;
using chainkit::test::TestKey;

namespace {

constexpr Amount FEE = 1'000;  // comfortably above 1 unit/byte for small txs

struct Fixture {
    ConsensusParams params = chainkit::test::mempool_params();
    MemoryChain chain{params};
    TestKey alice = TestKey::from_seed(1);
    TestKey bob = TestKey::from_seed(2);
    Mempool pool{chain.params, chain.utxo, 0};

    RejectReason reason(const Transaction& tx) { return pool.accept(tx).reason; }
};

std::vector<TxId> txids_of(const Block& b) {
    std::vector<TxId> out;
    for (std::size_t i = 1; i < b.txs.size(); ++i) out.push_back(b.txs[i].txid());
    return out;
}

struct Recorder final : ChainObserver {
    std::vector<TxId> accepted;
    void on_tx_accepted(const Transaction& tx) override { accepted.push_back(tx.txid()); }
};

}  // namespace

TEST_CASE("mempool accepts a valid spend and answers queries", "[mempool]") {
    Fixture f;
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

    CHECK(f.reason(tx) == RejectReason::duplicate);
    CHECK(f.pool.size() == 1);
    CHECK(rec.accepted.size() == 1);
}

TEST_CASE("mempool refuses coinbases and stateless failures by name", "[mempool]") {
    Fixture f;
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
    Fixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);

    SECTION("missing input") {
        auto ghost = coin;
        ghost.outpoint.index = 7;
        CHECK(f.reason(pay({ghost}, f.alice, f.bob.key_hash, FEE)) == RejectReason::missing_input);
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
        CHECK(pool.accept(tx).reason == RejectReason::immature_coinbase_spend);  // spend height 5 < 1 + 5
        pool.on_tip_changed(BlockHash{}, 5);
        CHECK(pool.accept(tx).ok());
    }
    SECTION("already confirmed") {
        const auto tx = pay({coin}, f.alice, f.bob.key_hash, FEE);
        f.chain.apply_connect(f.chain.build({tx}, f.alice.key_hash, FEE));
        CHECK(f.reason(tx) == RejectReason::duplicate);
    }
    CHECK(f.pool.size() <= 1);
}

TEST_CASE("double spends: against the chain and within the pool", "[mempool]") {
    Fixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    const auto to_bob = pay({coin}, f.alice, f.bob.key_hash, FEE);
    const auto to_self = pay({coin}, f.alice, f.alice.key_hash, 2 * FEE);
    REQUIRE(f.pool.accept(to_bob).ok());
    // No replacement: the first spend seen keeps the output, even at a higher fee.
    CHECK(f.reason(to_self) == RejectReason::mempool_conflict);
    CHECK(f.pool.size() == 1);
    CHECK(f.pool.contains(to_bob.txid()));

    // Once the chain spends an output, another spend of it is missing_input.
    const auto other = f.chain.fund(f.alice, 5 * COIN);
    const auto confirmed = pay({other}, f.alice, f.alice.key_hash, FEE);
    f.chain.connect(f.chain.build({confirmed}, f.bob.key_hash, FEE), f.pool);
    CHECK(f.reason(pay({other}, f.alice, f.bob.key_hash, FEE)) == RejectReason::missing_input);
}

TEST_CASE("chains of unconfirmed transactions", "[mempool]") {
    Fixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    const auto parent = pay({coin}, f.alice, f.bob.key_hash, FEE);
    const auto child = pay({coin_of(parent, 0)}, f.bob, f.alice.key_hash, FEE);
    const auto grandchild = pay({coin_of(child, 0)}, f.alice, f.bob.key_hash, FEE);

    CHECK(f.reason(child) == RejectReason::missing_input);  // parent unknown yet
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

TEST_CASE("a connected block removes its transactions and their conflicts", "[mempool]") {
    Fixture f;
    const auto c1 = f.chain.fund(f.alice, 10 * COIN);
    const auto c2 = f.chain.fund(f.alice, 10 * COIN);
    const auto a = pay({c1}, f.alice, f.bob.key_hash, FEE);
    const auto a_child = pay({coin_of(a, 0)}, f.bob, f.bob.key_hash, FEE);
    const auto b = pay({c2}, f.alice, f.bob.key_hash, FEE);
    const auto b_child = pay({coin_of(b, 0)}, f.bob, f.alice.key_hash, FEE);
    for (const auto* tx : {&a, &a_child, &b, &b_child}) REQUIRE(f.pool.accept(*tx).ok());

    // The block confirms `a` and a different spend of c2 (a double spend of `b`).
    const auto b_rival = pay({c2}, f.alice, f.alice.key_hash, 3 * FEE);
    f.chain.connect(f.chain.build({a, b_rival}, f.alice.key_hash, FEE + 3 * FEE), f.pool);

    CHECK(f.pool.tip_height() == 1);
    CHECK_FALSE(f.pool.contains(a.txid()));
    CHECK(f.pool.contains(a_child.txid()));  // still valid, now spends a confirmed output
    CHECK_FALSE(f.pool.contains(b.txid()));
    CHECK_FALSE(f.pool.contains(b_child.txid()));  // descendant of the conflict
    CHECK(f.pool.size() == 1);
    CHECK(f.pool.bytes() == a_child.serialized_size());
    CHECK(f.pool.spender_of(c2.outpoint) == nullptr);
    CHECK(f.pool.parents_in_pool(*f.pool.get(a_child.txid())).empty());
}

TEST_CASE("reorg returns disconnected transactions that are still valid", "[mempool]") {
    Fixture f;
    const auto c1 = f.chain.fund(f.alice, 10 * COIN);
    const auto c2 = f.chain.fund(f.alice, 10 * COIN);
    const auto a = pay({c1}, f.alice, f.bob.key_hash, FEE);
    const auto b = pay({c2}, f.alice, f.bob.key_hash, FEE);
    const auto old_tip = f.chain.build({a, b}, f.alice.key_hash, 2 * FEE);
    f.chain.connect(old_tip, f.pool);
    // A pool tx spending the old tip's coinbase: that output vanishes in the reorg.
    const auto from_coinbase = pay({coin_of(old_tip.txs[0], 0)}, f.alice, f.bob.key_hash, FEE);
    const auto a_child = pay({coin_of(a, 0)}, f.bob, f.bob.key_hash, FEE);
    REQUIRE(f.pool.accept(from_coinbase).ok());
    REQUIRE(f.pool.accept(a_child).ok());
    REQUIRE(f.pool.size() == 2);

    // The competing branch (two blocks from the same parent) spends c2 otherwise.
    auto parent_ctx = f.chain.next_context();
    const auto b_rival = pay({c2}, f.alice, f.alice.key_hash, FEE);
    parent_ctx.prev = BlockHash{};
    parent_ctx.height = 1;
    const auto r1 = chainkit::test::make_block(parent_ctx, f.bob.key_hash, {b_rival}, f.params, FEE, /*extra=*/9);
    auto ctx2 = parent_ctx;
    ctx2.prev = r1.hash();
    ctx2.height = 2;
    const auto r2 = chainkit::test::make_block(ctx2, f.bob.key_hash, {}, f.params);

    SECTION("reported after the whole reorg") {
        f.chain.reorg(1, {r1, r2}, f.pool);
    }
    SECTION("reported step by step") {
        const auto gone = f.chain.apply_disconnect();
        f.pool.on_block_disconnected(gone, 1);
        f.pool.on_tip_changed(BlockHash{}, 0);
        f.chain.connect(r1, f.pool);
        f.chain.connect(r2, f.pool);
    }
    SECTION("reported without a tip change: settled by the next accept") {
        const auto gone = f.chain.apply_disconnect();
        f.chain.apply_connect(r1);
        f.chain.apply_connect(r2);
        f.pool.on_block_disconnected(gone, 1);
        f.pool.on_block_connected(r1, 1);
        f.pool.on_block_connected(r2, 2);
        CHECK_FALSE(f.pool.contains(a.txid()));  // still set aside
        CHECK(f.pool.accept(a_child).reason == RejectReason::duplicate);
    }
    CHECK(f.pool.tip_height() == 2);
    CHECK(f.pool.contains(a.txid()));                    // back in the pool
    CHECK(f.pool.contains(a_child.txid()));              // its child kept
    CHECK_FALSE(f.pool.contains(b.txid()));              // double-spent by the new branch
    CHECK_FALSE(f.pool.contains(from_coinbase.txid()));  // its coinbase is gone
    CHECK(f.pool.size() == 2);
    const auto all = f.pool.entries();
    REQUIRE(all.size() == 2);
    CHECK(all[0]->txid == a.txid());  // parent before child after the rebuild
    CHECK(f.pool.bytes() == a.serialized_size() + a_child.serialized_size());
}

TEST_CASE("a full pool evicts the lowest fee rates with their descendants", "[mempool]") {
    Fixture f;
    const auto one_tx = pay({f.chain.fund(f.alice, COIN)}, f.alice, f.bob.key_hash, FEE).serialized_size();
    Mempool pool(f.params, f.chain.utxo, 0, MempoolOptions{3 * one_tx});
    const auto low = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 1'000);
    const auto low_child = pay({coin_of(low, 0)}, f.bob, f.bob.key_hash, 5'000);
    const auto mid = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 2'000);
    for (const auto* tx : {&low, &low_child, &mid}) REQUIRE(pool.accept(*tx).ok());
    REQUIRE(pool.bytes() == 3 * one_tx);

    // Beats the lowest rate: `low` goes, and its child with it.
    const auto high = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 3'000);
    REQUIRE(pool.accept(high).ok());
    CHECK_FALSE(pool.contains(low.txid()));
    CHECK_FALSE(pool.contains(low_child.txid()));
    CHECK(pool.contains(mid.txid()));
    CHECK(pool.contains(high.txid()));
    CHECK(pool.bytes() == 2 * one_tx);

    const auto cheap = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 1'500);
    REQUIRE(pool.accept(cheap).ok());  // there was room
    REQUIRE(pool.bytes() == 3 * one_tx);

    // Below, or equal to, what would be evicted: refused, pool unchanged.
    const auto lower = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 1'200);
    CHECK(pool.accept(lower).reason == RejectReason::mempool_full);
    const auto equal = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 1'500);
    CHECK(pool.accept(equal).reason == RejectReason::mempool_full);
    // Making room would evict its own parent: refused even at a high fee.
    const auto cheap_child = pay({coin_of(cheap, 0)}, f.bob, f.bob.key_hash, 50'000);
    CHECK(pool.accept(cheap_child).reason == RejectReason::mempool_full);
    CHECK(pool.size() == 3);
    CHECK(pool.contains(cheap.txid()));

    // A bad signature is found only after the room check, and evicts nothing.
    auto forged = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 90'000);
    forged.inputs[0].signature[0] ^= 1;
    CHECK(pool.accept(forged).reason == RejectReason::bad_signature);
    CHECK(pool.size() == 3);
    CHECK(pool.bytes() == 3 * one_tx);

    // Larger than the whole pool.
    Mempool tiny(f.params, f.chain.utxo, 0, MempoolOptions{one_tx - 1});
    CHECK(tiny.accept(lower).reason == RejectReason::mempool_full);
    CHECK(tiny.size() == 0);
}

TEST_CASE("eviction needing several entries counts each descendant once", "[mempool]") {
    Fixture f;
    const auto one_tx = pay({f.chain.fund(f.alice, COIN)}, f.alice, f.bob.key_hash, FEE).serialized_size();
    Mempool pool(f.params, f.chain.utxo, 0, MempoolOptions{3 * one_tx});
    const auto p = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 1'000);
    const auto child = pay({coin_of(p, 0)}, f.bob, f.bob.key_hash, 2'000);
    const auto q = pay({f.chain.fund(f.alice, 10 * COIN)}, f.alice, f.bob.key_hash, 3'000);
    for (const auto* tx : {&p, &child, &q}) REQUIRE(pool.accept(*tx).ok());
    // Three inputs: more than p and its child free, so q goes too; the child,
    // already evicted with p, is met again in rate order and not counted twice.
    const auto big = pay({f.chain.fund(f.alice, COIN), f.chain.fund(f.alice, COIN), f.chain.fund(f.alice, COIN)},
                         f.alice, f.bob.key_hash, 100'000);
    REQUIRE(big.serialized_size() > 2 * one_tx);
    REQUIRE(pool.accept(big).ok());
    CHECK(pool.size() == 1);
    CHECK(pool.contains(big.txid()));
    CHECK(pool.bytes() == big.serialized_size());
}

TEST_CASE("mempool as a ChainState observer: templates mined, reorg returns transactions", "[mempool][chain_state]") {
    chainkit::test::TestChain tc;
    Mempool pool(tc.params, tc.state.utxo(), tc.state.height());
    tc.state.add_observer(&pool);
    const TestKey bob = TestKey::from_seed(2);
    auto coins = tc.state.coins_for(tc.miner.key_hash);
    REQUIRE(coins.ok());
    REQUIRE(coins->size() == 1);  // the genesis coinbase
    const auto a = pay({coins->at(0)}, tc.miner, bob.key_hash, FEE);
    const auto a_child = pay({coin_of(a, 0)}, bob, bob.key_hash, FEE);
    REQUIRE(pool.accept(a).ok());
    REQUIRE(pool.accept(a_child).ok());

    // Mine a template holding both: the pool empties.
    const auto fork_hash = tc.state.tip().hash;
    auto t =
        make_block_template(pool, tc.state.next_block_context(tc.now()), TemplateOptions{tc.miner.key_hash}, tc.params);
    REQUIRE(t.block.txs.size() == 3);
    chainkit::test::mine_header(t.block.header, tc.params);
    const auto accepted = tc.state.accept_block(t.block, tc.now());
    REQUIRE(accepted.validation.message.empty());
    REQUIRE(accepted.tip_changed);
    CHECK(pool.size() == 0);
    CHECK(pool.tip_height() == 1);

    // A pool spend of the new block's coinbase, which the reorg will remove.
    const auto from_coinbase = pay({coin_of(t.block.txs[0], 0)}, tc.miner, bob.key_hash, FEE);
    REQUIRE(pool.accept(from_coinbase).ok());

    // A heavier branch from the genesis without those transactions.
    const auto r1 = tc.build_on(fork_hash, {}, 0, /*extra=*/1);
    REQUIRE(tc.state.accept_block(r1, tc.now()).ok());
    CHECK(tc.state.tip().hash == t.block.hash());  // equal work: first seen stays
    const auto r2 = tc.build_on(r1.hash());
    const auto reorg = tc.state.accept_block(r2, tc.now());
    REQUIRE(reorg.ok());
    REQUIRE(tc.state.tip().hash == r2.hash());
    CHECK(pool.tip_height() == 2);
    CHECK(pool.contains(a.txid()));
    CHECK(pool.contains(a_child.txid()));
    CHECK_FALSE(pool.contains(from_coinbase.txid()));
    CHECK(pool.size() == 2);

    // Mining them again on the new branch passes the chain state.
    auto again =
        make_block_template(pool, tc.state.next_block_context(tc.now()), TemplateOptions{tc.miner.key_hash}, tc.params);
    CHECK(txids_of(again.block) == std::vector<TxId>{a.txid(), a_child.txid()});
    chainkit::test::mine_header(again.block.header, tc.params);
    REQUIRE(tc.state.accept_block(again.block, tc.now()).validation.message.empty());
    CHECK(pool.size() == 0);
    tc.state.remove_observer(&pool);
}

TEST_CASE("a deep reorg sets aside at most a pool's worth, keeping the deepest blocks", "[mempool]") {
    Fixture f;
    const auto a = pay({f.chain.fund(f.alice, COIN)}, f.alice, f.bob.key_hash, FEE);
    const auto b = pay({f.chain.fund(f.alice, COIN)}, f.alice, f.bob.key_hash, FEE);
    // c pays more: had it been set aside, it would have evicted a or b.
    const auto c = pay({f.chain.fund(f.alice, COIN)}, f.alice, f.bob.key_hash, 5 * FEE);
    Mempool pool(f.params, f.chain.utxo, 0, MempoolOptions{2 * a.serialized_size()});
    const auto fork = f.chain.next_context();
    f.chain.connect(f.chain.build({a, b}, f.alice.key_hash, 2 * FEE), pool);
    f.chain.connect(f.chain.build({c}, f.alice.key_hash, 5 * FEE), pool);
    REQUIRE(pool.size() == 0);

    std::vector<Block> branch;
    auto ctx = fork;
    for (int i = 0; i < 3; ++i) {
        branch.push_back(chainkit::test::make_block(ctx, f.bob.key_hash, {}, f.params, 0, /*extra=*/5));
        ctx.prev = branch.back().hash();
        ++ctx.height;
    }
    f.chain.reorg(2, branch, pool);
    CHECK(pool.tip_height() == 3);
    CHECK(pool.contains(a.txid()));
    CHECK(pool.contains(b.txid()));
    CHECK_FALSE(pool.contains(c.txid()));  // the newest block's, dropped to stay in bounds
    CHECK(pool.bytes() == pool.max_bytes());
}
