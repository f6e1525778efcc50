#include "chainkit/chain/salted_hasher.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace chainkit::chain {

static_assert(crypto_shorthash_KEYBYTES == 16 && crypto_shorthash_BYTES == 8);

SaltedHasher::SaltedHasher() {
    // Idempotent and thread-safe; the RNG needs it.
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
    randombytes_buf(m_key.data(), m_key.size());
}

std::size_t SaltedHasher::hash_bytes(const std::uint8_t* data, std::size_t n) const noexcept {
    std::uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, data, n, m_key.data());
    std::uint64_t v;
    std::memcpy(&v, out, sizeof v);
    return static_cast<std::size_t>(v);
}

std::size_t SaltedHasher::operator()(const OutPoint& o) const noexcept {
    std::uint8_t buf[36];
    std::memcpy(buf, o.txid.data(), 32);
    for (int i = 0; i < 4; ++i) buf[32 + i] = static_cast<std::uint8_t>(o.index >> (8 * i));
    return hash_bytes(buf, sizeof buf);
}

std::size_t SaltedHasher::operator()(const KeyHash& k) const noexcept {
    return hash_bytes(k.bytes.data(), k.bytes.size());
}

}  // namespace chainkit::chain
