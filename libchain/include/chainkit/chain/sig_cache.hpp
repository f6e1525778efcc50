// A bounded cache of transactions whose signatures were verified (Bitcoin
// Core's script-execution cache idea): Mempool::accept inserts a transaction
// once all its signatures passed, and connect_block skips the Ed25519 checks
// of a transaction it finds here. Everything else a block is checked for
// (coins, key-hash matches, amounts, double spends) is still checked.
//
// Key: SHA-256(salt | wtxid | spent_hash), spent_hash as SignatureHasher
// computes it. The verdict of check_tx_signatures depends on the public keys,
// the signatures and the txid (all inside the bytes the wtxid hashes) and on
// the value and key hash of every spent output (spent_hash): the key commits
// to each byte of them, so a transaction with the same txid and another
// signature, or the same bytes spending other outputs, is another key. The
// full 32 bytes are stored and compared: a false hit would accept an invalid
// signature. The salt is 32 random bytes per cache (libsodium's RNG), so a
// peer cannot choose transactions that land in one shard or hash bucket.
//
// Bound: max_entries() keys, about BYTES_PER_ENTRY bytes each, split over
// SHARDS shards; a full shard evicts its oldest insertion (FIFO). A block
// needs the entries of the transactions relayed last, the newest; a peer
// that floods valid transactions can only push entries out, which costs the
// node a verification it would have done without the cache, never a wrong
// verdict. Entries are not removed when a block uses them: the bound ages
// them out, and a reorg that puts the block's transactions back finds them.
//
// Thread-safety: every member may be called from any thread; each shard has
// its own mutex. In the node one cache is shared by the chain state and the
// mempool of one node (both on its chain thread).
#pragma once

#include "chainkit/chain/hash.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace chainkit::chain {

struct SigCacheOptions {
    // Memory bound (estimated at BYTES_PER_ENTRY per entry). 8 MiB holds
    // ~87,000 transactions: ~145 blocks of 100 KB of one-input payments,
    // or about half of the default 32 MB pool of such transactions.
    std::size_t max_bytes = 8u << 20;
};

struct SigCacheStats {
    std::uint64_t hits = 0;       // lookups that found the transaction (its signatures skipped)
    std::uint64_t misses = 0;     // lookups that did not (its signatures verified)
    std::uint64_t inserts = 0;    // new keys
    std::uint64_t evictions = 0;  // keys pushed out by the bound
};

class SigCache {
public:
    using Key = std::array<std::uint8_t, 32>;
    using Salt = std::array<std::uint8_t, 32>;

    static constexpr std::size_t SHARDS = 16;
    // A key in the FIFO ring (32) plus its slot in the open-addressing set
    // (40 bytes, the table 2/3 full at the bound: ~60).
    static constexpr std::size_t BYTES_PER_ENTRY = 96;

    // A random salt.
    explicit SigCache(SigCacheOptions options = {});
    // A chosen salt (tests that need reproducible shard placement).
    SigCache(SigCacheOptions options, const Salt& salt);
    ~SigCache();
    SigCache(const SigCache&) = delete;
    SigCache& operator=(const SigCache&) = delete;

    // The key of a transaction with `wtxid` whose inputs spend the outputs
    // hashed into `spent_hash` (SignatureHasher::spent_hash()).
    [[nodiscard]] Key key(const WtxId& wtxid, const Hash256& spent_hash) const;

    // True if `k` was inserted and not evicted since; counts a hit or a miss.
    [[nodiscard]] bool contains(const Key& k) const;
    // Records `k` as verified; a key already present is left where it is.
    void insert(const Key& k);

    [[nodiscard]] std::size_t size() const;  // keys held, <= max_entries()
    [[nodiscard]] std::size_t max_entries() const noexcept { return m_per_shard * SHARDS; }
    [[nodiscard]] SigCacheStats stats() const noexcept;

private:
    struct Shard;
    [[nodiscard]] Shard& shard_of(const Key& k) const noexcept;

    Salt m_salt;
    std::size_t m_per_shard;
    std::unique_ptr<Shard[]> m_shards;
    mutable std::atomic<std::uint64_t> m_hits{0};
    mutable std::atomic<std::uint64_t> m_misses{0};
    std::atomic<std::uint64_t> m_inserts{0};
    std::atomic<std::uint64_t> m_evictions{0};
};

}  // namespace chainkit::chain
