// The verified-signature cache: its key, its bound, its threads, and how
// Mempool::accept fills it and connect_block uses it.
#include "chainkit/chain/check_queue.hpp"
#include "chainkit/chain/sha256.hpp"
#include "chainkit/chain/sig_cache.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

#include <span>
#include <thread>

using namespace chainkit::chain;
using chainkit::test::FEE;
using chainkit::test::PoolFixture;

namespace {

Hash256 hash_of(std::uint64_t n) {
    std::array<std::uint8_t, 32> b{};
    for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(n >> (8 * i));
    return sha256(b);
}

WtxId wtxid_of(std::uint64_t n) {
    return hash_cast<WtxId>(hash_of(n));
}

// A pool and a cache wired as the node wires them.
struct CachedPool : PoolFixture {
    SigCache cache;
    CachedPool() { pool.set_sig_cache(&cache); }

    // Connects `b` at the next height on a scratch view; the queue counts
    // the signatures connect_block asked it to verify.
    ValidationResult connect(const Block& b, SigCheckQueue& queue, const SigCache* c) {
        return connect_on(b, &queue, c);
    }
    // The same on the calling thread with this cache, and check_block's
    // `wtxids` when given.
    ValidationResult connect_here(const Block& b, std::span<const WtxId> wtxids = {}) {
        return connect_on(b, nullptr, &cache, wtxids);
    }
    ValidationResult connect_on(const Block& b, SigCheckQueue* queue, const SigCache* c,
                                std::span<const WtxId> wtxids = {}) {
        UtxoCache view(chain.utxo);
        BlockUndo undo;
        return connect_block(b, chain.tip_height + 1, params, view, undo, queue, c, wtxids);
    }
    // `tx` with a signature byte flipped: the same txid, another wtxid.
    static Transaction with_mutated_signature(Transaction tx) {
        tx.inputs[0].signature[5] ^= 0x01;
        return tx;
    }
    // Fees of `txs` as the pool computed them (for the coinbase).
    Amount fees_of(const std::vector<Transaction>& txs) const {
        Amount total = 0;
        for (const auto& tx : txs) total += pool.get(tx.txid())->fee;
        return total;
    }
};

}  // namespace

TEST_CASE("the key commits to the wtxid, the spent outputs and the salt", "[sigcache]") {
    SigCache::Salt s1{}, s2{};
    s2[0] = 1;
    const SigCache a({}, s1), b({}, s2);
    CHECK(a.key(wtxid_of(1), hash_of(2)) == a.key(wtxid_of(1), hash_of(2)));
    CHECK(a.key(wtxid_of(1), hash_of(2)) != a.key(wtxid_of(3), hash_of(2)));
    CHECK(a.key(wtxid_of(1), hash_of(2)) != a.key(wtxid_of(1), hash_of(3)));
    CHECK(a.key(wtxid_of(1), hash_of(2)) != b.key(wtxid_of(1), hash_of(2)));
    // Two caches made without a salt draw different ones.
    const SigCache r1, r2;
    CHECK(r1.key(wtxid_of(1), hash_of(2)) != r2.key(wtxid_of(1), hash_of(2)));
}

TEST_CASE("inserted keys are found, others are not, and lookups are counted", "[sigcache]") {
    SigCache c;
    const auto k1 = c.key(wtxid_of(1), hash_of(1));
    const auto k2 = c.key(wtxid_of(2), hash_of(1));
    CHECK_FALSE(c.contains(k1));
    c.insert(k1);
    c.insert(k1);  // again: no second entry
    CHECK(c.contains(k1));
    CHECK_FALSE(c.contains(k2));
    CHECK(c.size() == 1);
    const auto s = c.stats();
    CHECK(s.hits == 1);
    CHECK(s.misses == 2);
    CHECK(s.inserts == 1);
}

TEST_CASE("the cache holds at most max_entries and evicts the oldest first", "[sigcache]") {
    // 10 entries per shard.
    SigCache c(SigCacheOptions{.max_bytes = 10 * SigCache::SHARDS * SigCache::BYTES_PER_ENTRY});
    REQUIRE(c.max_entries() == 10 * SigCache::SHARDS);
    constexpr std::uint64_t N = 20'000;
    for (std::uint64_t i = 0; i < N; ++i) {
        c.insert(c.key(wtxid_of(i), hash_of(0)));
        if (i % 1000 == 0) REQUIRE(c.size() <= c.max_entries());
    }
    CHECK(c.size() == c.max_entries());
    CHECK(c.stats().evictions == N - c.max_entries());
    CHECK(c.contains(c.key(wtxid_of(N - 1), hash_of(0))));    // the newest stays
    CHECK_FALSE(c.contains(c.key(wtxid_of(0), hash_of(0))));  // the oldest went
    // A zero bound stores nothing (the cache is off).
    SigCache off(SigCacheOptions{.max_bytes = 0});
    off.insert(off.key(wtxid_of(1), hash_of(0)));
    CHECK(off.size() == 0);
}

TEST_CASE("two threads insert and look up at once", "[sigcache]") {
    SigCache c;  // 8 MiB: ~87,000 entries, room for both threads' keys
    constexpr std::uint64_t PER_THREAD = 20'000;
    std::atomic<std::uint64_t> lost{0};
    auto work = [&](std::uint64_t base) {
        for (std::uint64_t i = 0; i < PER_THREAD; ++i) {
            const auto k = c.key(wtxid_of(base + i), hash_of(0));
            c.insert(k);
            if (!c.contains(k)) lost.fetch_add(1);
            // Look up what the other thread may be inserting now.
            (void)c.contains(c.key(wtxid_of((base ^ 1'000'000) + i), hash_of(0)));
        }
    };
    std::thread a(work, 0), b(work, 1'000'000);
    a.join();
    b.join();
    CHECK(lost == 0);
    CHECK(c.size() == 2 * PER_THREAD);
    CHECK(c.stats().inserts == 2 * PER_THREAD);
    CHECK(c.stats().hits + c.stats().misses == 4 * PER_THREAD);
}

TEST_CASE("a block of transactions the pool verified connects with no signature check", "[sigcache]") {
    CachedPool f;
    std::vector<Transaction> txs;
    for (int i = 0; i < 20; ++i) {
        txs.push_back(f.spend(FEE));
        REQUIRE(f.pool.accept(txs.back()).ok());
    }
    REQUIRE(f.cache.size() == 20);
    const auto b = f.chain.build(txs, f.bob.key_hash, f.fees_of(txs));
    SECTION("without the cache every signature is verified") {
        SigCheckQueue queue(1);
        REQUIRE(f.connect(b, queue, nullptr).ok());
        CHECK(queue.checks_added() == 20);
    }
    SECTION("with it none is") {
        SigCheckQueue queue(1);
        REQUIRE(f.connect(b, queue, &f.cache).ok());
        CHECK(queue.checks_added() == 0);
        CHECK(f.cache.stats().hits == 20);
        CHECK(f.cache.stats().misses == 0);
    }
    SECTION("the calling-thread path skips them too") {
        REQUIRE(f.connect_here(b).ok());
        CHECK(f.cache.stats().hits == 20);
        CHECK(f.cache.stats().misses == 0);
    }
}

TEST_CASE("a transaction the pool did not take is verified in the block", "[sigcache]") {
    CachedPool f;
    const auto in_pool = f.spend(FEE);
    REQUIRE(f.pool.accept(in_pool).ok());
    const auto not_in_pool = f.spend(FEE);
    const auto b = f.chain.build({in_pool, not_in_pool}, f.bob.key_hash, 2 * FEE);
    SigCheckQueue queue(1);
    REQUIRE(f.connect(b, queue, &f.cache).ok());
    CHECK(queue.checks_added() == 1);
    CHECK(f.cache.stats().misses == 1);
}

TEST_CASE("the same txid with a mutated signature is refused though the honest one is cached", "[sigcache]") {
    CachedPool f;
    const auto honest = f.spend(FEE);
    REQUIRE(f.pool.accept(honest).ok());
    const auto mutated = CachedPool::with_mutated_signature(honest);
    REQUIRE(mutated.txid() == honest.txid());
    REQUIRE(mutated.wtxid() != honest.wtxid());
    const auto other = f.spend(FEE);
    REQUIRE(f.pool.accept(other).ok());
    const auto b = f.chain.build({other, mutated}, f.bob.key_hash, 2 * FEE);
    SigCheckQueue queue(1);
    const auto r = f.connect(b, queue, &f.cache);
    CHECK(r.reason == RejectReason::bad_signature);
    CHECK(r.message == "transaction 2 input 0 has an invalid signature");
    // The honest transaction in the same place still connects.
    const auto good = f.chain.build({other, honest}, f.bob.key_hash, 2 * FEE);
    CHECK(f.connect(good, queue, &f.cache).ok());
}

TEST_CASE("a refused transaction is not cached, and a reorg's put-back is not either", "[sigcache]") {
    CachedPool f;
    auto bad = f.spend(FEE);
    bad.inputs[0].signature[0] ^= 0x80;
    CHECK(f.reason(bad) == RejectReason::bad_signature);
    CHECK(f.cache.size() == 0);
    // Confirmed then disconnected: back in the pool without a signature
    // check, so without a new key.
    const auto tx = f.spend(FEE);
    const auto b = f.chain.build({tx}, f.bob.key_hash, FEE);
    f.chain.connect(b, f.pool);
    f.chain.apply_disconnect();
    f.pool.on_block_disconnected(b, 1);
    f.pool.on_tip_changed(f.chain.blocks.empty() ? BlockHash{} : f.chain.blocks.back().hash(), f.chain.tip_height);
    CHECK(f.pool.contains(tx.txid()));
    CHECK(f.cache.size() == 0);
}

TEST_CASE("a ChainState with the pool's cache skips its signatures and still refuses a forged one", "[sigcache]") {
    chainkit::test::TestChain c;
    const auto b1 = c.mine();
    SigCache cache;
    Mempool pool(c.params, c.state.utxo(), c.state.height());
    c.state.add_observer(&pool);
    c.state.set_sig_cache(&cache);
    pool.set_sig_cache(&cache);
    const auto& cb = b1.txs[0];
    const OwnedCoin coin{OutPoint{cb.txid(), 0}, Coin{cb.outputs[0], 1, true}};
    const auto tx = chainkit::test::make_spend({coin}, c.miner, {TxOut{cb.outputs[0].value - FEE, c.miner.key_hash}});
    REQUIRE(pool.accept(tx).ok());
    auto forged = tx;
    forged.inputs[0].signature[63] ^= 0x10;
    const auto bad = c.state.accept_block(c.build({forged}, FEE), c.now());
    CHECK(bad.validation.reason == RejectReason::bad_signature);
    CHECK(cache.stats().misses == 1);
    const auto good = c.state.accept_block(c.build({tx}, FEE, 1), c.now());
    CHECK(good.ok());
    CHECK(good.tip_changed);
    CHECK(cache.stats().hits == 1);
    CHECK(c.state.height() == 2);
    c.state.remove_observer(&pool);
}

TEST_CASE("check_block's wtxids key the cache in connect_block, and a mutated signature still misses", "[sigcache]") {
    CachedPool f;
    const auto honest = f.spend(FEE);
    REQUIRE(f.pool.accept(honest).ok());
    const auto mutated = CachedPool::with_mutated_signature(honest);
    const auto connect_checked = [&](const Block& b) {
        std::vector<WtxId> wtxids;
        REQUIRE(check_block(b, f.params, &wtxids).ok());
        REQUIRE(wtxids.size() == b.txs.size());
        for (std::size_t i = 0; i < b.txs.size(); ++i) CHECK(wtxids[i] == b.txs[i].wtxid());
        return f.connect_here(b, wtxids);
    };
    CHECK(connect_checked(f.chain.build({honest}, f.bob.key_hash, FEE)).ok());
    CHECK(f.cache.stats().hits == 1);
    const auto r = connect_checked(f.chain.build({mutated}, f.bob.key_hash, FEE));
    CHECK(r.reason == RejectReason::bad_signature);
    CHECK(f.cache.stats().misses == 1);
    SECTION("a span of the wrong size is not trusted: the wtxids are hashed again") {
        const auto b = f.chain.build({mutated}, f.bob.key_hash, FEE);
        const std::vector<WtxId> wrong{honest.wtxid()};  // one entry for two transactions
        CHECK(f.connect_here(b, wrong).reason == RejectReason::bad_signature);
    }
}
