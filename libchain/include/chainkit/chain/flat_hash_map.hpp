// An open-addressing hash map for small fixed-size keys (outpoints, txids):
// the key and value sit in the probed slot, so a lookup costs one cache
// miss where a node-based std::unordered_map costs two or three (bucket,
// node, the next node's key). A block touches a few thousand coins and pool
// entries per node, nearly all of them cold: those misses are its cost
// (docs/performance.md, "Session 10").
//
// Linear probing over a power-of-two table kept at most 3/4 full; erase
// shifts the rest of the run back (no tombstones), so a table that churns
// (a coin set, a pool) does not slow down. Each slot keeps 32 bits of its
// key's hash: probes compare it before the key, and erase and growth move
// entries without hashing them again (a keyed hash is ~20 ns). Linear probing makes colliding
// keys long runs: when peers choose the keys, Hasher must be keyed with a
// secret (SaltedHasher), never a plain digest prefix, or a peer grinding
// txids could make every lookup walk the table.
//
// Invalidation: insert may rehash (every pointer and reference); erase
// shifts entries (every pointer and reference). Iteration order is
// unspecified. K and V must be default-constructible and movable.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace chainkit::chain {

template <class K, class V, class Hasher, class Eq = std::equal_to<K>>
class FlatHashMap {
public:
    explicit FlatHashMap(Hasher hasher = Hasher{}, Eq eq = Eq{}) : m_hasher(std::move(hasher)), m_eq(std::move(eq)) {}

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    [[nodiscard]] const Hasher& hasher() const noexcept { return m_hasher; }

    // Null if absent.
    [[nodiscard]] V* find(const K& key) noexcept { return const_cast<V*>(std::as_const(*this).find(key)); }
    [[nodiscard]] const V* find(const K& key) const noexcept {
        const std::size_t at = slot_of(key);
        return at == NONE ? nullptr : &m_slots[at].value;
    }
    [[nodiscard]] bool contains(const K& key) const noexcept { return find(key) != nullptr; }

    // Inserts `value` under `key` unless the key is present; returns the
    // stored value and whether it was inserted.
    std::pair<V*, bool> try_emplace(const K& key, V value) {
        if ((m_size + 1) * 4 > m_slots.size() * 3) grow();
        const std::uint32_t h = hash(key);
        std::size_t i = h & mask();
        for (; m_slots[i].used; i = next(i))
            if (m_slots[i].hash == h && m_eq(m_slots[i].key, key)) return {&m_slots[i].value, false};
        m_slots[i].key = key;
        m_slots[i].hash = h;
        m_slots[i].value = std::move(value);
        m_slots[i].used = true;
        ++m_size;
        return {&m_slots[i].value, true};
    }
    // Inserts or overwrites.
    V& insert_or_assign(const K& key, V value) {
        auto [v, added] = try_emplace(key, V{});
        *v = std::move(value);
        return *v;
    }

    // True if the key was present.
    bool erase(const K& key) {
        const std::size_t at = slot_of(key);
        if (at == NONE) return false;
        erase_at(at);
        return true;
    }
    // Removes the key and returns its value (one probe where find + erase take two).
    std::optional<V> take(const K& key) {
        const std::size_t at = slot_of(key);
        if (at == NONE) return std::nullopt;
        std::optional<V> v(std::move(m_slots[at].value));
        erase_at(at);
        return v;
    }

    void clear() {
        m_slots.clear();
        m_slots.shrink_to_fit();
        m_size = 0;
    }

    // Room for `n` entries without a rehash.
    void reserve(std::size_t n) {
        std::size_t cap = 8;
        while (n * 4 > cap * 3) cap *= 2;
        if (cap > m_slots.size()) rehash(cap);
    }

    // f(const K&, const V&) for every entry; stops early if f returns false
    // (when it returns bool).
    template <class F>
    void for_each(F&& f) const {
        for (const Slot& s : m_slots) {
            if (!s.used) continue;
            if constexpr (std::is_same_v<decltype(f(s.key, s.value)), bool>) {
                if (!f(s.key, s.value)) return;
            } else {
                f(s.key, s.value);
            }
        }
    }

private:
    struct Slot {
        K key{};
        std::uint32_t hash = 0;  // low 32 bits of the key's hash
        V value{};
        bool used = false;
    };
    static constexpr std::size_t NONE = ~std::size_t{0};

    [[nodiscard]] std::size_t slot_of(const K& key) const noexcept {
        if (m_size == 0) return NONE;
        const std::uint32_t h = hash(key);
        for (std::size_t i = h & mask();; i = next(i)) {
            if (!m_slots[i].used) return NONE;
            if (m_slots[i].hash == h && m_eq(m_slots[i].key, key)) return i;
        }
    }

    void erase_at(std::size_t hole) {
        // Backward shift: an entry later in the run moves into the hole
        // unless its home lies cyclically in (hole, j], where the hole
        // would sit before its home and break its probe sequence.
        for (std::size_t j = next(hole); m_slots[j].used; j = next(j)) {
            const std::size_t h = m_slots[j].hash & mask();
            const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (stays) continue;
            m_slots[hole] = std::move(m_slots[j]);
            hole = j;
        }
        m_slots[hole].used = false;
        if constexpr (!std::is_trivially_destructible_v<V>) m_slots[hole].value = V{};  // frees what it held
        --m_size;
    }

    [[nodiscard]] std::uint32_t hash(const K& key) const noexcept { return static_cast<std::uint32_t>(m_hasher(key)); }
    // Capacity is at most 2^32 slots, so 32 hash bits address every one.
    [[nodiscard]] std::size_t mask() const noexcept { return m_slots.size() - 1; }
    [[nodiscard]] std::size_t next(std::size_t i) const noexcept { return (i + 1) & mask(); }

    void grow() { rehash(m_slots.empty() ? 8 : m_slots.size() * 2); }

    void rehash(std::size_t capacity) {
        if (capacity > (std::size_t{1} << 32)) throw std::length_error("FlatHashMap: more than 2^32 slots");
        std::vector<Slot> old(capacity);
        old.swap(m_slots);
        for (Slot& s : old) {
            if (!s.used) continue;
            std::size_t i = s.hash & mask();
            while (m_slots[i].used) i = next(i);
            m_slots[i] = std::move(s);
        }
    }

    std::vector<Slot> m_slots;  // empty, or a power of two
    std::size_t m_size = 0;
    Hasher m_hasher;
    Eq m_eq;
};

// A set: a map to nothing.
struct FlatHashSetEmpty {};

template <class K, class Hasher, class Eq = std::equal_to<K>>
class FlatHashSet {
public:
    explicit FlatHashSet(Hasher hasher = Hasher{}) : m_map(std::move(hasher)) {}
    [[nodiscard]] std::size_t size() const noexcept { return m_map.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_map.empty(); }
    [[nodiscard]] bool contains(const K& key) const noexcept { return m_map.contains(key); }
    // True if inserted (absent before).
    bool insert(const K& key) { return m_map.try_emplace(key, FlatHashSetEmpty{}).second; }
    bool erase(const K& key) { return m_map.erase(key); }
    void clear() { m_map.clear(); }
    void reserve(std::size_t n) { m_map.reserve(n); }
    template <class F>
    void for_each(F&& f) const {
        m_map.for_each([&](const K& k, const FlatHashSetEmpty&) { f(k); });
    }

private:
    FlatHashMap<K, FlatHashSetEmpty, Hasher, Eq> m_map;
};

}  // namespace chainkit::chain
