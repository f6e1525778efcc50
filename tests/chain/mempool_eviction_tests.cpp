// A full mempool: what it evicts to make room, and what it refuses.
#include "chainkit/chain/mempool.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::coin_of;
using chainkit::test::FEE;
using chainkit::test::pay;

namespace {

// A pool with room for exactly three one-input spends (all the same size).
struct EvictionFixture : chainkit::test::PoolFixture {
    const std::size_t one_tx = spend(FEE).serialized_size();
    Mempool small{params, chain.utxo, 0, MempoolOptions{3 * one_tx}};
};

}  // namespace

TEST_CASE("a full pool evicts the lowest fee rates with their descendants", "[mempool]") {
    EvictionFixture f;
    const auto one_tx = f.one_tx;
    auto& pool = f.small;
    const auto low = f.spend(1'000);
    const auto low_child = pay({coin_of(low, 0)}, f.bob, f.bob.key_hash, 5'000);
    const auto mid = f.spend(2'000);
    for (const auto* tx : {&low, &low_child, &mid}) REQUIRE(pool.accept(*tx).ok());
    REQUIRE(pool.bytes() == 3 * one_tx);

    // Beats the lowest rate: `low` goes, and its child with it.
    const auto high = f.spend(3'000);
    REQUIRE(pool.accept(high).ok());
    CHECK_FALSE(pool.contains(low.txid()));
    CHECK_FALSE(pool.contains(low_child.txid()));
    CHECK(pool.contains(mid.txid()));
    CHECK(pool.contains(high.txid()));
    CHECK(pool.bytes() == 2 * one_tx);

    const auto cheap = f.spend(1'500);
    REQUIRE(pool.accept(cheap).ok());  // there was room
    REQUIRE(pool.bytes() == 3 * one_tx);

    // Below, or equal to, what would be evicted: refused, pool unchanged.
    const auto lower = f.spend(1'200);
    CHECK(pool.accept(lower).validation.reason == RejectReason::mempool_full);
    const auto equal = f.spend(1'500);
    CHECK(pool.accept(equal).validation.reason == RejectReason::mempool_full);
    // Making room would evict its own parent: refused even at a high fee.
    const auto cheap_child = pay({coin_of(cheap, 0)}, f.bob, f.bob.key_hash, 50'000);
    CHECK(pool.accept(cheap_child).validation.reason == RejectReason::mempool_full);
    CHECK(pool.size() == 3);
    CHECK(pool.contains(cheap.txid()));

    // A bad signature is found only after the room check, and evicts nothing.
    auto forged = f.spend(90'000);
    forged.inputs[0].signature[0] ^= 1;
    CHECK(pool.accept(forged).validation.reason == RejectReason::bad_signature);
    CHECK(pool.size() == 3);
    CHECK(pool.bytes() == 3 * one_tx);

    // Larger than the whole pool.
    Mempool tiny(f.params, f.chain.utxo, 0, MempoolOptions{one_tx - 1});
    CHECK(tiny.accept(lower).validation.reason == RejectReason::mempool_full);
    CHECK(tiny.size() == 0);
}

TEST_CASE("eviction needing several entries counts each descendant once", "[mempool]") {
    EvictionFixture f;
    const auto one_tx = f.one_tx;
    auto& pool = f.small;
    const auto p = f.spend(1'000);
    const auto child = pay({coin_of(p, 0)}, f.bob, f.bob.key_hash, 2'000);
    const auto q = f.spend(3'000);
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
