#include "chainkit/chain/sha256.hpp"

#include "sha256_shani.hpp"

#include <cassert>
#include <cstring>

namespace chainkit::chain {
namespace {

constexpr std::uint32_t rotr(std::uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

std::uint32_t load_be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void compress_portable(Sha256State& s, const std::uint8_t* data, std::size_t blocks) {
    for (; blocks > 0; --blocks, data += 64) {
        std::uint32_t w[64];
        for (int i = 0; i < 16; ++i) w[i] = load_be32(data + 4 * i);
        for (int i = 16; i < 64; ++i) {
            const auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto [a, b, c, d, e, f, g, h] = s;
        for (int i = 0; i < 64; ++i) {
            const auto t1 =
                h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + detail::SHA256_K[i] + w[i];
            const auto t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        s[0] += a;
        s[1] += b;
        s[2] += c;
        s[3] += d;
        s[4] += e;
        s[5] += f;
        s[6] += g;
        s[7] += h;
    }
}

}  // namespace

bool sha256_shani_available() noexcept {
    static const bool available = detail::cpu_has_shani();
    return available;
}

Sha256Impl sha256_best_impl() noexcept {
    return sha256_shani_available() ? Sha256Impl::shani : Sha256Impl::portable;
}

std::string_view to_string(Sha256Impl impl) {
    return impl == Sha256Impl::shani ? "sha-ni" : "portable";
}

void sha256_compress(Sha256Impl impl, Sha256State& state, const std::uint8_t* data, std::size_t blocks) {
    if (impl == Sha256Impl::shani) {
        assert(sha256_shani_available());
        detail::compress_shani(state, data, blocks);
    } else {
        compress_portable(state, data, blocks);
    }
}

void sha256_compress(Sha256State& state, const std::uint8_t* data, std::size_t blocks) {
    static const Sha256Impl best = sha256_best_impl();
    sha256_compress(best, state, data, blocks);
}

Sha256& Sha256::write(ByteSpan data) {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    m_total += n;
    if (m_buf_len > 0) {
        const std::size_t fill = std::min(n, 64 - m_buf_len);
        std::memcpy(m_buf.data() + m_buf_len, p, fill);
        m_buf_len += fill;
        p += fill;
        n -= fill;
        if (m_buf_len < 64) return *this;
        sha256_compress(m_state, m_buf.data(), 1);
        m_buf_len = 0;
    }
    if (n >= 64) {
        sha256_compress(m_state, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    if (n > 0) {
        std::memcpy(m_buf.data(), p, n);
        m_buf_len = n;
    }
    return *this;
}

Hash256 Sha256::finalize() {
    const std::uint64_t bit_len = m_total * 8;
    std::array<std::uint8_t, 72> pad{};
    pad[0] = 0x80;
    const std::size_t pad_len = 1 + ((119 - m_buf_len) % 64);
    for (int i = 0; i < 8; ++i) pad[pad_len + i] = static_cast<std::uint8_t>(bit_len >> (56 - 8 * i));
    write(ByteSpan(pad.data(), pad_len + 8));
    Hash256 out;
    sha256_state_to_digest(m_state, out.bytes().data());
    return out;
}

void sha256_state_to_digest(const Sha256State& state, std::uint8_t* out) {
    for (int i = 0; i < 8; ++i) {
        out[4 * i] = static_cast<std::uint8_t>(state[i] >> 24);
        out[4 * i + 1] = static_cast<std::uint8_t>(state[i] >> 16);
        out[4 * i + 2] = static_cast<std::uint8_t>(state[i] >> 8);
        out[4 * i + 3] = static_cast<std::uint8_t>(state[i]);
    }
}

Hash256 sha256(ByteSpan data) {
    return Sha256().write(data).finalize();
}

Hash256 sha256d(ByteSpan data) {
    return sha256(sha256(data).span());
}

}  // namespace chainkit::chain
