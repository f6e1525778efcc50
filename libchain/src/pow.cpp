#include "chainkit/chain/pow.hpp"

namespace chainkit::chain {

std::optional<Uint256> decode_compact(std::uint32_t bits) {
    const unsigned exponent = bits >> 24;
    const std::uint32_t mantissa = bits & 0x007fffff;
    const bool negative = (bits & 0x00800000) != 0;
    if (negative || mantissa == 0) return std::nullopt;
    Uint256 target(mantissa);
    if (exponent <= 3) {
        target >>= 8 * (3 - exponent);
    } else {
        // The mantissa's highest bit lands at bit 8*(E-3) + bits(M); past 256
        // the value would be truncated, so such encodings are invalid.
        if (8 * (exponent - 3) + Uint256(mantissa).bits() > 256) return std::nullopt;
        target <<= 8 * (exponent - 3);
    }
    if (target.is_zero()) return std::nullopt;
    return target;
}

std::uint32_t encode_compact(const Uint256& target) {
    unsigned size = (target.bits() + 7) / 8;
    std::uint32_t mantissa = 0;
    if (size <= 3) {
        mantissa = static_cast<std::uint32_t>(target.low64() << (8 * (3 - size)));
    } else {
        mantissa = static_cast<std::uint32_t>((target >> (8 * (size - 3))).low64());
    }
    // Keep bit 23 clear: it is the sign bit of the compact form.
    if (mantissa & 0x00800000) {
        mantissa >>= 8;
        ++size;
    }
    return static_cast<std::uint32_t>(size) << 24 | mantissa;
}

bool check_proof_of_work(const BlockHash& hash, std::uint32_t bits, const Uint256& pow_limit) {
    const auto target = decode_compact(bits);
    if (!target || *target > pow_limit) return false;
    return Uint256::from_hash(hash) <= *target;
}

Uint256 block_work(std::uint32_t bits) {
    const auto target = decode_compact(bits);
    if (!target) return {};
    return (~*target / (*target + Uint256(1))) + Uint256(1);
}

}  // namespace chainkit::chain
