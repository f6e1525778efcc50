// Unsigned 256-bit arithmetic for proof-of-work targets and chain work.
// Value type; thread-compatible. Arithmetic wraps modulo 2^256.
#pragma once

#include "chainkit/chain/hash.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <string>

namespace chainkit::chain {

class Uint256 {
public:
    constexpr Uint256() noexcept = default;
    constexpr Uint256(std::uint64_t v) noexcept : m_limb{v, 0, 0, 0} {}  // NOLINT: implicit by design

    // Reads a hash as a big-endian number (byte 0 most significant).
    template <class Tag>
    static Uint256 from_hash(const BasicHash<Tag>& h) noexcept {
        return from_be_bytes(h.data());
    }
    static Uint256 from_be_bytes(const std::uint8_t* be32) noexcept;
    void to_be_bytes(std::uint8_t* out32) const noexcept;

    [[nodiscard]] std::string hex() const;         // 64 digits, big-endian
    [[nodiscard]] unsigned bits() const noexcept;  // position of highest set bit + 1; 0 for zero
    [[nodiscard]] bool is_zero() const noexcept { return bits() == 0; }
    [[nodiscard]] std::uint64_t low64() const noexcept { return m_limb[0]; }

    Uint256& operator+=(const Uint256& o) noexcept;
    Uint256& operator-=(const Uint256& o) noexcept;
    Uint256& operator*=(std::uint32_t m) noexcept;
    Uint256& operator/=(const Uint256& d);  // d must be non-zero
    Uint256& operator<<=(unsigned n) noexcept;
    Uint256& operator>>=(unsigned n) noexcept;
    [[nodiscard]] Uint256 operator~() const noexcept;

    friend Uint256 operator+(Uint256 a, const Uint256& b) noexcept { return a += b; }
    friend Uint256 operator-(Uint256 a, const Uint256& b) noexcept { return a -= b; }
    friend Uint256 operator*(Uint256 a, std::uint32_t m) noexcept { return a *= m; }
    friend Uint256 operator/(Uint256 a, const Uint256& b) { return a /= b; }
    friend Uint256 operator<<(Uint256 a, unsigned n) noexcept { return a <<= n; }
    friend Uint256 operator>>(Uint256 a, unsigned n) noexcept { return a >>= n; }

    friend std::strong_ordering operator<=>(const Uint256& a, const Uint256& b) noexcept;
    friend bool operator==(const Uint256& a, const Uint256& b) noexcept = default;

private:
    std::array<std::uint64_t, 4> m_limb{};  // little-endian limbs
};

}  // namespace chainkit::chain
