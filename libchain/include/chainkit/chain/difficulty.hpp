// Difficulty: the per-block retarget rule and the median time past.
//
// Rule (documented with examples in docs/protocol.md): the bits of the block
// after `window` (oldest first, ending at the tip; the caller passes the last
// min(retarget_window + 1, tip height + 1) headers) are
//   intervals = window.size() - 1, expected = intervals * target_spacing,
//   actual    = clamp(tip.time - oldest.time, expected / clamp, expected * clamp),
//   target    = mean(targets of the last `intervals` blocks) * actual / expected,
// capped at pow_limit. A window of one header (the genesis' child) and
// networks with no_retargeting keep the tip's bits. Clamping also absorbs
// out-of-order timestamps (a negative span counts as expected / clamp).
#pragma once

#include "chainkit/chain/params.hpp"

#include <cstdint>
#include <span>

namespace chainkit::chain {

struct HeaderTimeBits {
    std::int64_t time = 0;
    std::uint32_t bits = 0;
};

[[nodiscard]] std::uint32_t next_bits(std::span<const HeaderTimeBits> window, const ConsensusParams& p);

// Median of the timestamps (the caller passes up to mtp_window of the latest
// blocks). A new block's time must be strictly greater than this.
[[nodiscard]] std::int64_t median_time_past(std::span<const std::int64_t> times);

}  // namespace chainkit::chain
