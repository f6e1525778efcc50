// The retarget rule on synthetic timestamp series (docs/protocol.md).
#include "chainkit/chain/difficulty.hpp"
#include "chainkit/chain/pow.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace chainkit::chain;

namespace {

// A window of `n` headers at `bits`, spaced `spacing` seconds apart.
std::vector<HeaderTimeBits> series(std::size_t n, std::int64_t spacing, std::uint32_t bits) {
    std::vector<HeaderTimeBits> w;
    for (std::size_t i = 0; i < n; ++i) w.push_back({1'700'000'000 + static_cast<std::int64_t>(i) * spacing, bits});
    return w;
}

Uint256 target_of(std::uint32_t bits) {
    return *decode_compact(bits);
}

// A mid-range target so changes both ways stay under the limit.
constexpr std::uint32_t MID_BITS = 0x1e0fffff;

}  // namespace

TEST_CASE("steady blocks keep the target", "[difficulty]") {
    const auto p = params_for(Network::main);
    const auto w = series(p.retarget_window + 1, p.target_spacing, MID_BITS);
    CHECK(next_bits(w, p) == MID_BITS);
}

TEST_CASE("blocks 10x too fast make the target harder, clamped to the window factor", "[difficulty]") {
    const auto p = params_for(Network::main);
    const auto w = series(p.retarget_window + 1, p.target_spacing / 10, MID_BITS);
    const auto next = target_of(next_bits(w, p));
    // 10x fast is beyond the 4x clamp: the target shrinks by exactly 4 (to
    // compact-encoding precision).
    const auto expected = target_of(MID_BITS) / Uint256(p.retarget_clamp);
    CHECK(next <= expected);
    CHECK(next >= expected - (expected >> 14));
}

TEST_CASE("blocks 10x too slow make the target easier, clamped and capped at the limit", "[difficulty]") {
    const auto p = params_for(Network::main);
    const auto w = series(p.retarget_window + 1, p.target_spacing * 10, MID_BITS);
    const auto next = target_of(next_bits(w, p));
    const auto expected = target_of(MID_BITS) * p.retarget_clamp;
    CHECK(next <= expected);
    CHECK(next >= expected - (expected >> 14));
    // From the limit itself, slower blocks cannot go past it.
    const auto at_limit = series(p.retarget_window + 1, p.target_spacing * 10, p.pow_limit_bits);
    CHECK(next_bits(at_limit, p) == p.pow_limit_bits);
}

TEST_CASE("2x fast halves the target proportionally", "[difficulty]") {
    const auto p = params_for(Network::main);
    const auto w = series(p.retarget_window + 1, p.target_spacing / 2, MID_BITS);
    const auto next = target_of(next_bits(w, p));
    const auto expected = target_of(MID_BITS) / Uint256(2);
    CHECK(next <= expected);
    CHECK(next >= expected - (expected >> 14));
}

TEST_CASE("out-of-order timestamps cannot make the span negative", "[difficulty]") {
    const auto p = params_for(Network::main);
    auto w = series(p.retarget_window + 1, p.target_spacing, MID_BITS);
    std::reverse(w.begin(), w.end());  // the tip claims the earliest time
    for (std::size_t i = 0; i < w.size(); ++i) w[i].bits = MID_BITS;
    const auto next = target_of(next_bits(w, p));
    // Negative span counts as expected / clamp: the hardest allowed step.
    const auto expected = target_of(MID_BITS) / Uint256(p.retarget_clamp);
    CHECK(next <= expected);
    CHECK(next >= expected - (expected >> 14));
}

TEST_CASE("short windows: the genesis' child keeps the genesis bits", "[difficulty]") {
    const auto p = params_for(Network::main);
    CHECK(next_bits(series(1, 0, p.pow_limit_bits), p) == p.pow_limit_bits);
    CHECK(next_bits({}, p) == p.pow_limit_bits);
    // Two headers 10x fast already move the target (scaled to one interval).
    const auto w = series(2, p.target_spacing / 10, MID_BITS);
    CHECK(target_of(next_bits(w, p)) < target_of(MID_BITS));
}

TEST_CASE("regtest never retargets, however fast blocks come", "[difficulty]") {
    const auto p = params_for(Network::regtest);
    const auto w = series(p.retarget_window + 1, 0, p.pow_limit_bits);
    CHECK(next_bits(w, p) == p.pow_limit_bits);
}

TEST_CASE("median time past is the middle of the sorted window", "[difficulty]") {
    const std::int64_t t[] = {5, 1, 9, 3, 7};
    CHECK(median_time_past(t) == 5);
    const std::int64_t one[] = {42};
    CHECK(median_time_past(one) == 42);
    CHECK(median_time_past({}) == 0);
}
