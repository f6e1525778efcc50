// Ed25519 key pairs for spending. The secret key lives in secure memory
// (a slot of a sodium_malloc'd arena shared by all keys: guard pages around
// it, locked where the OS allows, wiped on free) and never leaves it except
// through export_seed(). generate() and from_seed() throw std::bad_alloc when
// the OS refuses that memory. Move-only; thread-compatible (sign() is const
// and may run concurrently on one key; keys may be made and destroyed on
// any thread).
#pragma once

#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/keys.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace chainkit::wallet {

inline constexpr std::size_t SEED_SIZE = 32;

class KeyPair {
public:
    // A fresh key from the OS random generator.
    [[nodiscard]] static KeyPair generate();
    // The key a 32-byte seed determines (the wallet file stores seeds).
    [[nodiscard]] static KeyPair from_seed(std::span<const std::uint8_t, SEED_SIZE> seed);

    KeyPair(KeyPair&&) noexcept = default;
    KeyPair& operator=(KeyPair&&) noexcept = default;

    [[nodiscard]] const chain::PublicKey& public_key() const noexcept { return m_public; }
    [[nodiscard]] const chain::KeyHash& key_hash() const noexcept { return m_key_hash; }
    [[nodiscard]] chain::Signature sign(const chain::Hash256& msg) const noexcept;
    // Writes the seed into `out` (caller keeps it in secure memory and wipes it).
    void export_seed(std::span<std::uint8_t, SEED_SIZE> out) const noexcept;

private:
    struct SecretDeleter {
        void operator()(std::uint8_t* p) const noexcept;
    };
    KeyPair();

    std::unique_ptr<std::uint8_t, SecretDeleter> m_secret;  // 64-byte libsodium secret key
    chain::PublicKey m_public{};
    chain::KeyHash m_key_hash;
};

}  // namespace chainkit::wallet
