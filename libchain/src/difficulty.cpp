#include "chainkit/chain/difficulty.hpp"

#include "chainkit/chain/pow.hpp"

#include <algorithm>
#include <bit>
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
    const Uint256 mean = sum / Uint256(static_cast<std::uint64_t>(intervals));
    // mean * actual / expected without overflow or early truncation: split
    // mean = q * expected + r, so the result is q * actual + r * actual / expected.
    assert(actual > 0 && actual <= 0xffffffff && expected <= 0xffffffff);
    const auto act = static_cast<std::uint32_t>(actual);
    const auto exp = static_cast<std::uint32_t>(expected);
    const Uint256 q = mean / Uint256(exp);
    const Uint256 r = mean - q * exp;
    Uint256 target;
    if (q.bits() + static_cast<unsigned>(std::bit_width(act)) > 256) {
        // Only reachable with a pow_limit near 2^256: any easing hits the cap.
        target = act >= exp ? p.pow_limit : q * act + (r * act) / Uint256(exp);
    } else {
        target = q * act + (r * act) / Uint256(exp);
    }
    if (target > p.pow_limit) target = p.pow_limit;
    if (target.is_zero()) target = Uint256(1);
    return encode_compact(target);
}

std::int64_t median_time_past(std::span<const std::int64_t> times) {
    if (times.empty()) return 0;
    std::vector<std::int64_t> sorted(times.begin(), times.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
}

}  // namespace chainkit::chain
