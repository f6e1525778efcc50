// Keyed hashing for hash tables whose keys peers choose (Bitcoin Core's
// SaltedOutpointHasher): SipHash-2-4 (libsodium's crypto_shorthash) under a
// random 128-bit key per hasher. Txids can be ground (a txid leaves the
// signatures out, so a sender varies an output and rehashes): with a plain
// digest prefix as the hash, a peer could send transactions whose keys all
// share one slot of an open-addressing table and make every lookup walk
// them (flat_hash_map.hpp). Thread-safe (immutable after construction).
#pragma once

#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/keys.hpp"
#include "chainkit/chain/transaction.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace chainkit::chain {

class SaltedHasher {
public:
    using Key = std::array<std::uint8_t, 16>;

    SaltedHasher();  // a random key (libsodium's RNG)
    explicit SaltedHasher(const Key& key) noexcept : m_key(key) {}

    std::size_t operator()(const OutPoint& o) const noexcept;
    std::size_t operator()(const KeyHash& k) const noexcept;
    template <class Tag>
    std::size_t operator()(const BasicHash<Tag>& h) const noexcept {
        return hash_bytes(h.data(), BasicHash<Tag>::SIZE);
    }

private:
    [[nodiscard]] std::size_t hash_bytes(const std::uint8_t* data, std::size_t n) const noexcept;
    Key m_key{};
};

}  // namespace chainkit::chain
