#pragma once
// ChaCha20-Poly1305 (RFC 8439: 256-bit key, 96-bit nonce, 16-byte tag) for
// Noise's CipherState, through OpenSSL's EVP interface. Every byte a
// connection carries passes through here, and OpenSSL's AVX2/AVX-512 code is
// about three times libsodium's on the machines we run (docs/performance.md).
// Not thread-safe: one instance per direction of one connection.

#include <array>
#include <cstdint>
#include <span>

namespace chainkit::net::detail {

class ChaChaPoly {
public:
    static constexpr std::size_t KEY_SIZE = 32;
    static constexpr std::size_t NONCE_SIZE = 12;
    static constexpr std::size_t TAG_SIZE = 16;
    using Key = std::array<std::uint8_t, KEY_SIZE>;
    using Nonce = std::array<std::uint8_t, NONCE_SIZE>;

    /// Throws std::bad_alloc if OpenSSL cannot allocate its context.
    explicit ChaChaPoly(const Key& key);
    ChaChaPoly(ChaChaPoly&& other) noexcept;
    ChaChaPoly& operator=(ChaChaPoly&& other) noexcept;
    ChaChaPoly(const ChaChaPoly&) = delete;
    ChaChaPoly& operator=(const ChaChaPoly&) = delete;
    ~ChaChaPoly();

    /// Writes plain.size() + TAG_SIZE bytes at `out` (which may equal plain.data()).
    void seal(const Nonce& nonce, std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plain,
              std::uint8_t* out);
    /// Writes cipher.size() - TAG_SIZE bytes at `out` and returns true when the
    /// tag verifies; false (output unspecified) otherwise or when cipher is
    /// shorter than a tag.
    [[nodiscard]] bool open(const Nonce& nonce, std::span<const std::uint8_t> ad, std::span<const std::uint8_t> cipher,
                            std::uint8_t* out);

private:
    void* m_ctx = nullptr;  // EVP_CIPHER_CTX, keyed once; each call only sets the nonce and direction
};

}  // namespace chainkit::net::detail
