#include "chainkit/chain/difficulty.hpp"

#include "chainkit/chain/pow.hpp"

#include <algorithm>
#include <cassert>
#include <vector>

namespace chainkit::chain {

std::uint32_t next_bits(std::span<const HeaderTimeBits> window, const ConsensusParams& p) {
    if (window.empty()) return p.pow_limit_bits;
    if (p.no_retargeting || window.size() < 2) return window.back().bits;

    const auto intervals = static_cast<std::int64_t>(window.size() - 1);
    const std::int64_t expected = intervals * p.target_spacing;
    const std::int64_t clamp = p.retarget_clamp;
    const std::int64_t actual =
        std::clamp<std::int64_t>(window.back().time - window.front().time, expected / clamp, expected * clamp);

    Uint256 sum;
    for (const auto& h : window.subspan(1)) {
        // Every stored header passed the PoW check, so its bits decode; an
        // invalid one would be our own logic error.
        const auto t = decode_compact(h.bits);
        sum += t ? *t : p.pow_limit;
    }
    Uint256 target = sum / Uint256(static_cast<std::uint64_t>(intervals));
    // actual <= expected * clamp is small, so it fits the 32-bit multiplier;
    // divide first if the product could overflow 256 bits.
    assert(actual > 0 && actual <= 0xffffffff);
    if (target.bits() + 32 > 256) {
        target /= Uint256(static_cast<std::uint64_t>(expected));
        target *= static_cast<std::uint32_t>(actual);
    } else {
        target *= static_cast<std::uint32_t>(actual);
        target /= Uint256(static_cast<std::uint64_t>(expected));
    }
    if (target > p.pow_limit || target.is_zero()) target = target.is_zero() ? Uint256(1) : p.pow_limit;
    return encode_compact(target);
}

std::int64_t median_time_past(std::span<const std::int64_t> times) {
    if (times.empty()) return 0;
    std::vector<std::int64_t> sorted(times.begin(), times.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
}

}  // namespace chainkit::chain
