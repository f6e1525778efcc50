// Amounts of coin in integer base units (1 coin = 100,000,000 units).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chainkit::chain {

using Amount = std::int64_t;

inline constexpr Amount COIN = 100'000'000;
// Upper bound on any single value or sum; keeps every sum of two in-range
// amounts far from int64 overflow (Bitcoin's MAX_MONEY reasoning).
inline constexpr Amount MAX_MONEY = 21'000'000 * COIN;

[[nodiscard]] constexpr bool money_range(Amount v) noexcept {
    return v >= 0 && v <= MAX_MONEY;
}

// "12.5" -> 1'250'000'000. Accepts digits with at most 8 decimals and no sign,
// exponent or spaces; std::nullopt for anything else or above MAX_MONEY.
[[nodiscard]] std::optional<Amount> parse_coins(std::string_view text);
// 1'250'000'000 -> "12.5"; whole amounts print without a decimal point.
[[nodiscard]] std::string format_coins(Amount v);

}  // namespace chainkit::chain
