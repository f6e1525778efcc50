// The key material consensus knows about: Ed25519 public keys and signatures,
// and the 20-byte key hash that outputs pay to. Signing lives in libwallet.
#pragma once

#include "chainkit/chain/bytes.hpp"
#include "chainkit/chain/hash.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>

namespace chainkit::chain {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

// BLAKE2b-160 of an Ed25519 public key: what a TxOut pays to and what an
// address encodes.
struct KeyHash {
    static constexpr std::size_t SIZE = 20;
    std::array<std::uint8_t, SIZE> bytes{};

    friend auto operator<=>(const KeyHash&, const KeyHash&) = default;
    [[nodiscard]] std::string hex() const { return to_hex(bytes); }
};

// For unordered indexes by key: a key hash is a digest, so any 8 of its
// bytes are a well-spread hash.
struct KeyHashHasher {
    std::size_t operator()(const KeyHash& k) const noexcept {
        std::size_t v;
        std::memcpy(&v, k.bytes.data(), sizeof v);
        return v;
    }
};

[[nodiscard]] KeyHash key_hash_of(const PublicKey& pk) noexcept;

// Ed25519 verification of `sig` over the 32-byte message `msg` (libsodium,
// which rejects small-order and non-canonical keys and signatures).
// Thread-safe.
[[nodiscard]] bool verify_signature(const PublicKey& pk, const Hash256& msg, const Signature& sig) noexcept;

}  // namespace chainkit::chain
