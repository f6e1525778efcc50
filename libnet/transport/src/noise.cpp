#include "noise.hpp"

#include <sodium.h>

#include <cstring>
#include <string_view>

namespace chainkit::net::detail {
namespace {

constexpr std::string_view PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
static_assert(PROTOCOL_NAME.size() == 32, "name of exactly HASHLEN bytes is used as h without hashing");

Key32 hmac(std::span<const std::uint8_t> key, std::span<const std::uint8_t> a, std::span<const std::uint8_t> b = {}) {
    crypto_auth_hmacsha256_state st;
    static const std::uint8_t no_key = 0;
    crypto_auth_hmacsha256_init(&st, key.empty() ? &no_key : key.data(), key.size());
    // Empty spans may carry a null pointer, which libsodium passes to memcpy.
    if (!a.empty()) crypto_auth_hmacsha256_update(&st, a.data(), a.size());
    if (!b.empty()) crypto_auth_hmacsha256_update(&st, b.data(), b.size());
    Key32 out{};
    crypto_auth_hmacsha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
    return out;
}

ChaChaPoly::Nonce nonce_bytes(std::uint64_t n) {
    ChaChaPoly::Nonce nonce{};
    for (int i = 0; i < 8; ++i) nonce[4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
    return nonce;
}

}  // namespace

std::array<Key32, 2> noise_hkdf(std::span<const std::uint8_t> ck, std::span<const std::uint8_t> ikm) {
    Key32 temp = hmac(ck, ikm);
    const std::uint8_t one = 1, two = 2;
    Key32 out1 = hmac(temp, std::span(&one, 1));
    Key32 out2 = hmac(temp, out1, std::span(&two, 1));
    sodium_memzero(temp.data(), temp.size());
    return {out1, out2};
}

X25519KeyPair X25519KeyPair::generate() {
    Key32 secret{};
    randombytes_buf(secret.data(), secret.size());
    auto kp = from_secret(secret);
    sodium_memzero(secret.data(), secret.size());
    return kp;
}

X25519KeyPair X25519KeyPair::from_secret(const Key32& secret) {
    X25519KeyPair kp;
    kp.secret = secret;
    crypto_scalarmult_base(kp.pub.data(), kp.secret.data());
    return kp;
}

void CipherState::encrypt_to(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plain, std::uint8_t* out) {
    m_aead->seal(nonce_bytes(m_n++), ad, plain, out);
}

Result<void> CipherState::decrypt_to(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> cipher,
                                     std::uint8_t* out) {
    if (cipher.size() < NOISE_TAG || !m_aead->open(nonce_bytes(m_n), ad, cipher, out)) return errc::decrypt_failed;
    ++m_n;  // the nonce only advances on success, as the Noise spec requires
    return {};
}

void CipherState::encrypt(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plain,
                          std::vector<std::uint8_t>& out) {
    const auto at = out.size();
    out.resize(at + plain.size() + NOISE_TAG);
    encrypt_to(ad, plain, out.data() + at);
}

Result<void> CipherState::decrypt(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> cipher,
                                  std::vector<std::uint8_t>& out) {
    if (cipher.size() < NOISE_TAG) return errc::decrypt_failed;
    const auto at = out.size();
    out.resize(at + cipher.size() - NOISE_TAG);
    auto r = decrypt_to(ad, cipher, out.data() + at);
    if (!r) out.resize(at);
    return r;
}

HandshakeXX::HandshakeXX(bool initiator, X25519KeyPair static_key, std::optional<X25519KeyPair> ephemeral,
                         std::span<const std::uint8_t> prologue)
    : m_initiator(initiator), m_s(static_key), m_e(ephemeral ? *ephemeral : X25519KeyPair::generate()) {
    std::memcpy(m_h.data(), PROTOCOL_NAME.data(), 32);
    m_ck = m_h;
    mix_hash(prologue);
}

void HandshakeXX::mix_hash(std::span<const std::uint8_t> data) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, m_h.data(), m_h.size());
    if (!data.empty()) crypto_hash_sha256_update(&st, data.data(), data.size());
    crypto_hash_sha256_final(&st, m_h.data());
}

Result<void> HandshakeXX::mix_key_dh(const Key32& secret, const Key32& pub) {
    Key32 shared{};
    // libsodium rejects low-order points (all-zero output): a handshake failure.
    if (crypto_scalarmult(shared.data(), secret.data(), pub.data()) != 0) return errc::handshake_failed;
    auto [ck, k] = noise_hkdf(m_ck, shared);
    sodium_memzero(shared.data(), shared.size());
    m_ck = ck;
    m_cipher.set_key(k);
    return {};
}

void HandshakeXX::encrypt_and_hash(std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out) {
    const auto at = out.size();
    if (m_cipher.has_key())
        m_cipher.encrypt(m_h, plain, out);
    else
        out.insert(out.end(), plain.begin(), plain.end());
    mix_hash(std::span(out).subspan(at));
}

Result<void> HandshakeXX::decrypt_and_hash(std::span<const std::uint8_t> cipher, std::vector<std::uint8_t>& out) {
    if (m_cipher.has_key()) {
        if (auto r = m_cipher.decrypt(m_h, cipher, out); !r) return r;
    } else {
        out.insert(out.end(), cipher.begin(), cipher.end());
    }
    mix_hash(cipher);
    return {};
}

Result<std::vector<std::uint8_t>> HandshakeXX::write_message(std::span<const std::uint8_t> payload) {
    const bool mine = (m_step % 2 == 0) == m_initiator;
    if (!mine || m_step >= 3) return errc::handshake_failed;
    std::vector<std::uint8_t> msg;
    if (m_step == 0) {  // -> e
        msg.insert(msg.end(), m_e.pub.begin(), m_e.pub.end());
        mix_hash(m_e.pub);
    } else if (m_step == 1) {  // <- e, ee, s, es
        msg.insert(msg.end(), m_e.pub.begin(), m_e.pub.end());
        mix_hash(m_e.pub);
        if (auto r = mix_key_dh(m_e.secret, m_re); !r) return r.error();
        encrypt_and_hash(m_s.pub, msg);
        if (auto r = mix_key_dh(m_s.secret, m_re); !r) return r.error();
    } else {  // -> s, se
        encrypt_and_hash(m_s.pub, msg);
        if (auto r = mix_key_dh(m_s.secret, m_re); !r) return r.error();
    }
    encrypt_and_hash(payload, msg);
    ++m_step;
    return msg;
}

Result<std::vector<std::uint8_t>> HandshakeXX::read_message(std::span<const std::uint8_t> msg) {
    const bool theirs = (m_step % 2 == 0) != m_initiator;
    if (!theirs || m_step >= 3) return errc::handshake_failed;
    std::vector<std::uint8_t> scratch;
    auto take = [&](std::size_t n) {
        auto part = msg.first(n);
        msg = msg.subspan(n);
        return part;
    };
    const std::size_t need = m_step == 0 ? 32 : m_step == 1 ? 32 + 48 + NOISE_TAG : 48 + NOISE_TAG;
    if (msg.size() < need) return errc::handshake_failed;
    if (m_step <= 1) {  // e
        auto e = take(32);
        std::memcpy(m_re.data(), e.data(), 32);
        mix_hash(m_re);
    }
    if (m_step == 1) {  // ee, s, es
        if (auto r = mix_key_dh(m_e.secret, m_re); !r) return r.error();
        if (auto r = decrypt_and_hash(take(48), scratch); !r) return errc::handshake_failed;
        std::memcpy(m_rs.data(), scratch.data(), 32);
        if (auto r = mix_key_dh(m_e.secret, m_rs); !r) return r.error();
    } else if (m_step == 2) {  // s, se
        if (auto r = decrypt_and_hash(take(48), scratch); !r) return errc::handshake_failed;
        std::memcpy(m_rs.data(), scratch.data(), 32);
        if (auto r = mix_key_dh(m_e.secret, m_rs); !r) return r.error();
    }
    std::vector<std::uint8_t> payload;
    if (auto r = decrypt_and_hash(msg, payload); !r) return errc::handshake_failed;
    ++m_step;
    return payload;
}

std::pair<CipherState, CipherState> HandshakeXX::split() {
    auto [k1, k2] = noise_hkdf(m_ck, {});
    CipherState c1, c2;
    c1.set_key(k1);
    c2.set_key(k2);
    sodium_memzero(k1.data(), 32);
    sodium_memzero(k2.data(), 32);
    if (m_initiator) return {std::move(c1), std::move(c2)};
    return {std::move(c2), std::move(c1)};
}

}  // namespace chainkit::net::detail
