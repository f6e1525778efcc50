// The mempool following the chain: connected blocks, reorgs (reported at
// once, step by step, or without a tip change), a ChainState driving it,
// and the bound on what a deep reorg sets aside.
#include "chainkit/chain/block_template.hpp"
#include "chainkit/chain/mempool.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::coin_of;
using chainkit::test::FEE;
using chainkit::test::pay;
using chainkit::test::PoolFixture;
using chainkit::test::TestKey;
using chainkit::test::txids_after_coinbase;

TEST_CASE("a connected block removes its transactions and their conflicts", "[mempool]") {
    PoolFixture f;
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

TEST_CASE("a connect reported with a txid list of another length is hashed by the pool, never read past it",
          "[mempool]") {
    PoolFixture f;
    const auto c1 = f.chain.fund(f.alice, 10 * COIN);
    const auto c2 = f.chain.fund(f.alice, 10 * COIN);
    const auto a = pay({c1}, f.alice, f.bob.key_hash, FEE);
    const auto b = pay({c2}, f.alice, f.bob.key_hash, FEE);
    REQUIRE(f.pool.accept(a).ok());
    REQUIRE(f.pool.accept(b).ok());
    const auto block = f.chain.build({a}, f.alice.key_hash, FEE);
    f.chain.apply_connect(block);
    // Only the coinbase's txid: a wrong list from an observer's caller.
    const std::vector<TxId> short_list{block.txs[0].txid()};
    f.pool.on_block_connected(block, f.chain.tip_height, short_list);
    CHECK_FALSE(f.pool.contains(a.txid()));
    CHECK(f.pool.contains(b.txid()));
    CHECK(f.pool.accept(a).validation.reason == RejectReason::already_have);  // remembered as confirmed
}

TEST_CASE("reorg returns disconnected transactions that are still valid", "[mempool]") {
    PoolFixture f;
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
        CHECK(f.pool.accept(a_child).validation.reason == RejectReason::already_have);
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
    CHECK(txids_after_coinbase(again.block) == std::vector<TxId>{a.txid(), a_child.txid()});
    chainkit::test::mine_header(again.block.header, tc.params);
    REQUIRE(tc.state.accept_block(again.block, tc.now()).validation.message.empty());
    CHECK(pool.size() == 0);
    tc.state.remove_observer(&pool);
}

TEST_CASE("a deep reorg sets aside at most a pool's worth, keeping the deepest blocks", "[mempool]") {
    PoolFixture f;
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
