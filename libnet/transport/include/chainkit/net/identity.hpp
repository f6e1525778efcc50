#pragma once
// Ed25519 host identity (libsodium). Persisted as the file
// <data_dir>/transport_key holding the 32-byte Ed25519 seed as 64 lowercase
// hex characters and a newline (mode 0600), or derived from a test seed N:
// the 32-byte Ed25519 seed is N as 8 bytes little-endian followed by 24 zero
// bytes. Immutable after construction; safe to share between threads.

#include <array>
#include <chainkit/net/error.hpp>
#include <chainkit/net/peer_id.hpp>
#include <cstdint>
#include <filesystem>
#include <span>

namespace chainkit::net {

using Ed25519Signature = std::array<std::uint8_t, 64>;

class Identity {
public:
    static Identity generate();
    static Identity from_seed(std::uint64_t n);
    static Identity from_ed25519_seed(const std::array<std::uint8_t, 32>& seed);
    /// Loads <data_dir>/transport_key, creating it (and data_dir) if absent.
    static Result<Identity> load_or_create(const std::filesystem::path& data_dir);

    Identity(const Identity&) = default;
    Identity& operator=(const Identity&) = default;
    ~Identity();  // wipes the secret key

    const Ed25519PublicKey& public_key() const noexcept { return m_pk; }
    const PeerId& peer_id() const noexcept { return m_peer; }
    Ed25519Signature sign(std::span<const std::uint8_t> msg) const;
    static bool verify(const Ed25519PublicKey& pk, std::span<const std::uint8_t> msg,
                       std::span<const std::uint8_t> sig);

private:
    Identity(const std::array<std::uint8_t, 64>& sk, const Ed25519PublicKey& pk);
    std::array<std::uint8_t, 64> m_sk{};  // libsodium layout: seed || public key
    Ed25519PublicKey m_pk{};
    PeerId m_peer;
};

}  // namespace chainkit::net
