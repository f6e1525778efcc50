// TxOrphanPool on its own: bounds by count and bytes (oldest evicted),
// per-orphan size limit, expiry by the caller's clock, lookups by parent,
// and what a connected block removes.
#include "chainkit/chain/tx_orphan_pool.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::coin_of;
using chainkit::test::FEE;
using chainkit::test::pay;
using chainkit::test::PoolFixture;

namespace {

// `n` distinct transactions each spending output `i` of one unknown parent,
// with `extra_outputs` more outputs to vary their size.
std::vector<Transaction> orphans_of(PoolFixture& f, std::size_t n, std::size_t extra_outputs = 0) {
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    std::vector<Transaction> out;
    for (std::uint32_t i = 0; i < n; ++i) {
        auto ghost = coin;
        ghost.outpoint.index = 1 + i;
        std::vector<TxOut> outs(1 + extra_outputs, TxOut{1, f.bob.key_hash});
        out.push_back(chainkit::test::make_spend({ghost}, f.alice, outs));
    }
    return out;
}

}  // namespace

TEST_CASE("orphan pool evicts the oldest past its count bound", "[orphan]") {
    PoolFixture f;
    TxOrphanPool pool(OrphanPoolOptions{3, 1'000'000, 100'000, 60});
    const auto txs = orphans_of(f, 5);
    for (std::size_t i = 0; i < txs.size(); ++i) CHECK(pool.add(txs[i], txs[i].txid(), i, 0));
    CHECK(pool.size() == 3);
    CHECK_FALSE(pool.contains(txs[0].txid()));
    CHECK_FALSE(pool.contains(txs[1].txid()));
    CHECK(pool.contains(txs[4].txid()));
    REQUIRE(pool.get(txs[2].txid()) != nullptr);
    CHECK(pool.get(txs[2].txid())->from == 2);
    CHECK_FALSE(pool.add(txs[4], txs[4].txid(), 9, 0));  // already there
    std::size_t bytes = 0;
    for (std::size_t i = 2; i < 5; ++i) bytes += txs[i].serialized_size();
    CHECK(pool.bytes() == bytes);
}

TEST_CASE("orphan pool evicts the oldest past its byte bound", "[orphan]") {
    PoolFixture f;
    const auto txs = orphans_of(f, 4, 20);  // ~700 bytes each
    const std::size_t one = txs[0].serialized_size();
    TxOrphanPool pool(OrphanPoolOptions{100, 2 * one + one / 2, 100'000, 60});
    for (const auto& tx : txs) CHECK(pool.add(tx, tx.txid(), 1, 0));
    CHECK(pool.size() == 2);
    CHECK(pool.bytes() <= 2 * one + one / 2);
    CHECK(pool.contains(txs[2].txid()));
    CHECK(pool.contains(txs[3].txid()));
}

TEST_CASE("orphan pool refuses an orphan above its per-orphan limit", "[orphan]") {
    PoolFixture f;
    const auto big = orphans_of(f, 1, 200).front();
    TxOrphanPool pool(OrphanPoolOptions{100, 1'000'000, big.serialized_size() - 1, 60});
    CHECK_FALSE(pool.add(big, big.txid(), 1, 0));
    CHECK(pool.size() == 0);
    TxOrphanPool none(OrphanPoolOptions{0, 1'000'000, 100'000, 60});
    CHECK_FALSE(none.add(big, big.txid(), 1, 0));
}

TEST_CASE("orphan pool expires by the caller's clock and by sender", "[orphan]") {
    PoolFixture f;
    const auto txs = orphans_of(f, 3);
    TxOrphanPool pool(OrphanPoolOptions{100, 1'000'000, 100'000, 60});
    REQUIRE(pool.add(txs[0], txs[0].txid(), 1, 1'000));
    REQUIRE(pool.add(txs[1], txs[1].txid(), 2, 1'030));
    REQUIRE(pool.add(txs[2], txs[2].txid(), 1, 1'050));
    CHECK(pool.expire(1'059) == 0);
    CHECK(pool.expire(1'060) == 1);
    CHECK_FALSE(pool.contains(txs[0].txid()));
    CHECK(pool.expire(1'089) == 0);
    CHECK(pool.expire(1'090) == 1);
    CHECK(pool.erase_from(1) == 1);
    CHECK(pool.size() == 0);
    CHECK(pool.bytes() == 0);
}

TEST_CASE("orphan pool finds children by parent and drops what a block settles", "[orphan]") {
    PoolFixture f;
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    const auto parent = pay({coin}, f.alice, f.bob.key_hash, FEE);
    const auto kid = pay({coin_of(parent, 0)}, f.bob, f.alice.key_hash, FEE);
    const auto rival = pay({coin_of(parent, 0)}, f.bob, f.bob.key_hash, 2 * FEE);
    const auto other = orphans_of(f, 1).front();
    TxOrphanPool pool;
    REQUIRE(pool.add(kid, kid.txid(), 1, 0));
    REQUIRE(pool.add(rival, rival.txid(), 2, 0));
    REQUIRE(pool.add(other, other.txid(), 3, 0));
    CHECK(pool.children_of(parent.txid()) == std::vector<TxId>{kid.txid(), rival.txid()});
    CHECK(pool.has_children(parent.txid()));
    CHECK_FALSE(pool.has_children(kid.txid()));

    // A block holding the parent and the kid: the kid is confirmed, the
    // rival double-spends it; the unrelated orphan stays.
    const auto block = f.chain.build({parent, kid}, f.alice.key_hash, 2 * FEE);
    std::vector<TxId> ids;
    for (const auto& tx : block.txs) ids.push_back(tx.txid());
    SECTION("with the block's txids") {
        CHECK(pool.erase_for_block(block, ids) == 2);
    }
    SECTION("with a list of another length: hashed, never read past its end") {
        ids.pop_back();
        CHECK(pool.erase_for_block(block, ids) == 2);
    }
    CHECK(pool.size() == 1);
    CHECK(pool.contains(other.txid()));
    CHECK(pool.children_of(parent.txid()).empty());
}
