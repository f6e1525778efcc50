#include "chainkit/chain/sig_cache.hpp"

#include "chainkit/chain/flat_hash_map.hpp"
#include "chainkit/chain/sha256.hpp"

#include <sodium.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace chainkit::chain {
namespace {

// Keys are salted SHA-256 digests: any 8 of their bytes are already a
// uniform hash no peer can steer, so open addressing is safe without
// another key. Bytes 8..15 pick the slot, byte 0 the shard, so the two
// choices are independent.
struct KeyHasher {
    std::size_t operator()(const SigCache::Key& k) const noexcept {
        std::uint64_t h = 0;
        std::memcpy(&h, k.data() + 8, sizeof h);
        return static_cast<std::size_t>(h);
    }
};

}  // namespace

struct SigCache::Shard {
    std::mutex mutex;
    FlatHashSet<Key, KeyHasher> keys;  // guarded by mutex; one cache miss per lookup
    std::vector<Key> ring;             // insertion order, guarded by mutex; at most the shard's bound
    std::size_t next = 0;              // oldest slot once the ring is full, guarded by mutex
};

SigCache::SigCache(SigCacheOptions options)
    : SigCache(options, [] {
          Salt s{};
          // Idempotent and thread-safe; the RNG needs it.
          if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
          randombytes_buf(s.data(), s.size());
          return s;
      }()) {}

SigCache::SigCache(SigCacheOptions options, const Salt& salt)
    : m_salt(salt),
      m_per_shard(options.max_bytes / BYTES_PER_ENTRY / SHARDS),
      m_shards(std::make_unique<Shard[]>(SHARDS)) {}

SigCache::~SigCache() = default;

SigCache::Key SigCache::key(const WtxId& wtxid, const Hash256& spent_hash) const {
    Sha256 h;
    h.write(m_salt).write(wtxid.span()).write(spent_hash.span());
    const auto digest = h.finalize();
    Key k;
    std::memcpy(k.data(), digest.data(), k.size());
    return k;
}

SigCache::Shard& SigCache::shard_of(const Key& k) const noexcept {
    return m_shards[k[0] % SHARDS];
}

bool SigCache::contains(const Key& k) const {
    auto& s = shard_of(k);
    bool found = false;
    {
        std::lock_guard lock(s.mutex);
        found = s.keys.contains(k);
    }
    (found ? m_hits : m_misses).fetch_add(1, std::memory_order_relaxed);
    return found;
}

void SigCache::insert(const Key& k) {
    if (m_per_shard == 0) return;
    auto& s = shard_of(k);
    std::lock_guard lock(s.mutex);
    if (!s.keys.insert(k)) return;
    m_inserts.fetch_add(1, std::memory_order_relaxed);
    if (s.ring.size() < m_per_shard) {
        if (s.ring.capacity() == 0) s.ring.reserve(m_per_shard);  // exact: no doubling past the bound
        s.ring.push_back(k);
        return;
    }
    // Full: the oldest key goes and its slot takes the new one.
    s.keys.erase(s.ring[s.next]);
    s.ring[s.next] = k;
    s.next = (s.next + 1) % m_per_shard;
    m_evictions.fetch_add(1, std::memory_order_relaxed);
}

std::size_t SigCache::size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < SHARDS; ++i) {
        std::lock_guard lock(m_shards[i].mutex);
        n += m_shards[i].keys.size();
    }
    return n;
}

SigCacheStats SigCache::stats() const noexcept {
    return SigCacheStats{
        .hits = m_hits.load(std::memory_order_relaxed),
        .misses = m_misses.load(std::memory_order_relaxed),
        .inserts = m_inserts.load(std::memory_order_relaxed),
        .evictions = m_evictions.load(std::memory_order_relaxed),
    };
}

}  // namespace chainkit::chain
