#pragma once
// Noise_XX_25519_ChaChaPoly_SHA256 state machines (noiseprotocol.org rev 34),
// pure and synchronous: the async framing lives in secure_channel.
// CipherState nonces are 4 zero bytes || 64-bit little-endian counter.

#include "chacha_poly.hpp"

#include <array>
#include <chainkit/net/error.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace chainkit::net::detail {

using Key32 = std::array<std::uint8_t, 32>;
inline constexpr std::size_t NOISE_TAG = 16;
inline constexpr std::size_t NOISE_MAX_MESSAGE = 65535;

/// Noise HKDF with HMAC-SHA256 (RFC 5869 with salt = chaining key).
std::array<Key32, 2> noise_hkdf(std::span<const std::uint8_t> ck, std::span<const std::uint8_t> ikm);

struct X25519KeyPair {
    Key32 secret{};
    Key32 pub{};
    static X25519KeyPair generate();
    static X25519KeyPair from_secret(const Key32& secret);
};

class CipherState {
public:
    void set_key(const Key32& k) {
        m_aead.emplace(k);
        m_n = 0;
    }
    bool has_key() const noexcept { return m_aead.has_value(); }
    std::uint64_t nonce() const noexcept { return m_n; }
    void set_nonce(std::uint64_t n) noexcept { m_n = n; }
    /// Appends ciphertext (plaintext + 16-byte tag) to `out`.
    void encrypt(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out);
    /// Appends plaintext to `out`; errc::decrypt_failed on a bad tag.
    Result<void> decrypt(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> cipher,
                         std::vector<std::uint8_t>& out);
    /// The same into caller-provided memory: plain.size() + 16 bytes at `out`.
    void encrypt_to(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plain, std::uint8_t* out);
    /// cipher.size() - 16 bytes at `out`; the nonce advances only on success.
    Result<void> decrypt_to(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> cipher, std::uint8_t* out);

private:
    std::optional<ChaChaPoly> m_aead;  // holds the key; freeing it cleanses the key
    std::uint64_t m_n = 0;
};

/// The XX handshake. Messages: -> e ; <- e, ee, s, es ; -> s, se.
class HandshakeXX {
public:
    /// `ephemeral` and `prologue` are for known-answer tests only (the
    /// published vectors use a prologue); libp2p uses a generated ephemeral
    /// key and an empty prologue.
    HandshakeXX(bool initiator, X25519KeyPair static_key, std::optional<X25519KeyPair> ephemeral = std::nullopt,
                std::span<const std::uint8_t> prologue = {});

    /// Writes the next message with `payload`; returns it (not length-framed).
    Result<std::vector<std::uint8_t>> write_message(std::span<const std::uint8_t> payload);
    /// Reads the next message, returns its payload.
    Result<std::vector<std::uint8_t>> read_message(std::span<const std::uint8_t> msg);

    bool complete() const noexcept { return m_step == 3; }
    const Key32& remote_static() const noexcept { return m_rs; }
    const Key32& handshake_hash() const noexcept { return m_h; }
    /// After completion: {send, receive} cipher states for this side.
    std::pair<CipherState, CipherState> split();

private:
    void mix_hash(std::span<const std::uint8_t> data);
    Result<void> mix_key_dh(const Key32& secret, const Key32& pub);
    void encrypt_and_hash(std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out);
    Result<void> decrypt_and_hash(std::span<const std::uint8_t> cipher, std::vector<std::uint8_t>& out);

    bool m_initiator;
    int m_step = 0;  // messages processed so far
    X25519KeyPair m_s;
    X25519KeyPair m_e;
    Key32 m_re{};
    Key32 m_rs{};
    Key32 m_h{};
    Key32 m_ck{};
    CipherState m_cipher;
};

}  // namespace chainkit::net::detail
