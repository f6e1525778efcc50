#include "chainkit/chain/block_template.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace chainkit::chain;
using chainkit::test::coin_of;
using chainkit::test::pay;
using chainkit::test::TestKey;
using chainkit::test::txids_after_coinbase;

namespace {

struct Fixture : chainkit::test::PoolFixture {
    TestKey miner = TestKey::from_seed(3);

    Transaction add(Amount fee) {
        auto tx = spend(fee);
        REQUIRE(pool.accept(tx).ok());
        return tx;
    }
    BlockTemplate make(std::size_t max_size = 0) {
        return make_block_template(pool, chain.next_context(), TemplateOptions{miner.key_hash, max_size, 0}, params);
    }
    // The block as a miner would submit it: checked statelessly and connected.
    void require_valid(BlockTemplate& t) {
        chainkit::test::mine_header(t.block.header, params);
        const auto checked = check_block(t.block, params);
        REQUIRE(checked.message.empty());
        UtxoCache cache(chain.utxo);
        BlockUndo undo;
        const auto connected = connect_block(t.block, chain.tip_height + 1, params, cache, undo);
        REQUIRE(connected.message.empty());
    }
};

}  // namespace

TEST_CASE("template: highest fee rate first, parents before children, valid block", "[template]") {
    Fixture f;
    const auto parent = f.add(200);  // lowest rate, but its child pays the most
    const auto child = pay({coin_of(parent, 0)}, f.bob, f.alice.key_hash, 5'000);
    REQUIRE(f.pool.accept(child).ok());
    const auto high = f.add(3'000);
    const auto mid = f.add(1'000);

    auto t = f.make();
    const auto ctx = f.chain.next_context();
    CHECK(txids_after_coinbase(t.block) == std::vector<TxId>{high.txid(), mid.txid(), parent.txid(), child.txid()});
    CHECK(t.fees == 200 + 5'000 + 3'000 + 1'000);
    REQUIRE(t.block.txs[0].is_coinbase());
    CHECK(t.block.txs[0].coinbase_height() == ctx.height);
    CHECK(t.block.txs[0].outputs.at(0).value == block_subsidy(ctx.height, f.params) + t.fees);
    CHECK(t.block.txs[0].outputs.at(0).key_hash == f.miner.key_hash);
    CHECK(t.block.header.prev == ctx.prev);
    CHECK(t.block.header.bits == ctx.bits);
    CHECK(t.block.header.time > ctx.median_time_past);
    CHECK(t.block.header.merkle_root == block_merkle_root(t.block));
    CHECK(t.size == t.block.serialized_size());
    f.require_valid(t);

    // Mining it empties the pool.
    f.chain.connect(t.block, f.pool);
    CHECK(f.pool.size() == 0);
    CHECK(f.pool.bytes() == 0);
}

TEST_CASE("template: size limit counts header and coinbase; skipped parent keeps its child out", "[template]") {
    Fixture f;
    const auto low = f.add(200);
    const auto low_child = pay({coin_of(low, 0)}, f.bob, f.alice.key_hash, 9'000);
    REQUIRE(f.pool.accept(low_child).ok());
    const auto high = f.add(3'000);
    const auto mid = f.add(1'000);
    const std::size_t one_tx = high.serialized_size();
    const std::size_t empty = f.make(1).size;  // coinbase only: nothing fits in 1 byte
    REQUIRE(f.make(1).block.txs.size() == 1);

    auto two = f.make(empty + 2 * one_tx);
    CHECK(txids_after_coinbase(two.block) == std::vector<TxId>{high.txid(), mid.txid()});
    CHECK(two.size == empty + 2 * one_tx);  // exactly at the limit
    CHECK(two.fees == 4'000);
    f.require_valid(two);

    auto one = f.make(empty + 2 * one_tx - 1);
    CHECK(txids_after_coinbase(one.block) == std::vector<TxId>{high.txid()});
    CHECK(one.size <= empty + 2 * one_tx - 1);
    f.require_valid(one);
}

TEST_CASE("template: a double spend offered twice appears once", "[template]") {
    Fixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    const auto first = pay({coin}, f.alice, f.bob.key_hash, 1'000);
    const auto rival = pay({coin}, f.alice, f.alice.key_hash, 9'000);
    REQUIRE(f.pool.accept(first).ok());
    REQUIRE(f.pool.accept(rival).validation.reason == RejectReason::mempool_conflict);
    auto t = f.make();
    std::size_t spends = 0;
    for (const auto& tx : t.block.txs)
        for (const auto& in : tx.inputs) spends += in.prevout == coin.outpoint;
    CHECK(spends == 1);
    f.require_valid(t);
}

TEST_CASE("template: a pool behind the context's tip gives a coinbase-only block", "[template]") {
    Fixture f;
    f.add(1'000);
    auto ctx = f.chain.next_context();
    ctx.height += 1;  // the chain moved on; the pool has not been told
    const auto t = make_block_template(f.pool, ctx, TemplateOptions{f.miner.key_hash, 0, 7}, f.params);
    REQUIRE(t.block.txs.size() == 1);
    CHECK(t.fees == 0);
    CHECK(t.block.txs[0].coinbase_height() == ctx.height);
    CHECK(t.block.txs[0].outputs[0].value == block_subsidy(ctx.height, f.params));
    // The extra nonce changes the coinbase, hence the merkle root.
    const auto t0 = make_block_template(f.pool, ctx, TemplateOptions{f.miner.key_hash, 0, 0}, f.params);
    CHECK(t0.block.header.merkle_root != t.block.header.merkle_root);
}
