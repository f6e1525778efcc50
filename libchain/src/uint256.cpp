#include "chainkit/chain/uint256.hpp"

#include <cassert>

namespace chainkit::chain {

// Carries need 128 bits; __extension__ marks the GCC/Clang type as intended.
__extension__ typedef unsigned __int128 u128;

Uint256 Uint256::from_be_bytes(const std::uint8_t* be) noexcept {
    Uint256 r;
    for (int limb = 0; limb < 4; ++limb) {
        std::uint64_t v = 0;
        const std::uint8_t* p = be + 32 - 8 * (limb + 1);
        for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
        r.m_limb[limb] = v;
    }
    return r;
}

void Uint256::to_be_bytes(std::uint8_t* out) const noexcept {
    for (int limb = 0; limb < 4; ++limb) {
        std::uint8_t* p = out + 32 - 8 * (limb + 1);
        for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(m_limb[limb] >> (56 - 8 * i));
    }
}

std::string Uint256::hex() const {
    std::array<std::uint8_t, 32> be{};
    to_be_bytes(be.data());
    return to_hex(be);
}

unsigned Uint256::bits() const noexcept {
    for (int limb = 3; limb >= 0; --limb) {
        if (m_limb[limb] != 0)
            return 64 * static_cast<unsigned>(limb) + 64 - static_cast<unsigned>(__builtin_clzll(m_limb[limb]));
    }
    return 0;
}

Uint256& Uint256::operator+=(const Uint256& o) noexcept {
    u128 carry = 0;
    for (int i = 0; i < 4; ++i) {
        carry += static_cast<u128>(m_limb[i]) + o.m_limb[i];
        m_limb[i] = static_cast<std::uint64_t>(carry);
        carry >>= 64;
    }
    return *this;
}

Uint256& Uint256::operator-=(const Uint256& o) noexcept {
    return *this += (~o + Uint256(1));
}

Uint256& Uint256::operator*=(std::uint32_t m) noexcept {
    u128 carry = 0;
    for (int i = 0; i < 4; ++i) {
        carry += static_cast<u128>(m_limb[i]) * m;
        m_limb[i] = static_cast<std::uint64_t>(carry);
        carry >>= 64;
    }
    return *this;
}

Uint256 Uint256::operator~() const noexcept {
    Uint256 r;
    for (int i = 0; i < 4; ++i) r.m_limb[i] = ~m_limb[i];
    return r;
}

Uint256& Uint256::operator<<=(unsigned n) noexcept {
    if (n >= 256) return *this = Uint256();
    Uint256 r;
    const unsigned limbs = n / 64, shift = n % 64;
    for (unsigned i = 3 + 1; i-- > limbs;) {
        std::uint64_t v = m_limb[i - limbs] << shift;
        if (shift != 0 && i - limbs > 0) v |= m_limb[i - limbs - 1] >> (64 - shift);
        r.m_limb[i] = v;
    }
    return *this = r;
}

Uint256& Uint256::operator>>=(unsigned n) noexcept {
    if (n >= 256) return *this = Uint256();
    Uint256 r;
    const unsigned limbs = n / 64, shift = n % 64;
    for (unsigned i = 0; i + limbs < 4; ++i) {
        std::uint64_t v = m_limb[i + limbs] >> shift;
        if (shift != 0 && i + limbs + 1 < 4) v |= m_limb[i + limbs + 1] << (64 - shift);
        r.m_limb[i] = v;
    }
    return *this = r;
}

// Shift-subtract long division: at most 256 iterations, only used when
// retargeting and computing chain work, never per hash.
Uint256& Uint256::operator/=(const Uint256& divisor) {
    assert(!divisor.is_zero());
    Uint256 num = *this, div = divisor, quotient;
    const unsigned num_bits = num.bits(), div_bits = div.bits();
    if (div_bits > num_bits) return *this = Uint256();
    unsigned shift = num_bits - div_bits;
    div <<= shift;
    for (;;) {
        if (num >= div) {
            num -= div;
            quotient.m_limb[shift / 64] |= std::uint64_t{1} << (shift % 64);
        }
        if (shift == 0) break;
        div >>= 1;
        --shift;
    }
    return *this = quotient;
}

std::strong_ordering operator<=>(const Uint256& a, const Uint256& b) noexcept {
    for (int i = 3; i >= 0; --i) {
        if (a.m_limb[i] != b.m_limb[i]) return a.m_limb[i] <=> b.m_limb[i];
    }
    return std::strong_ordering::equal;
}

}  // namespace chainkit::chain
