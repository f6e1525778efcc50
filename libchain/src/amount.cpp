#include "chainkit/chain/amount.hpp"

#include <fmt/format.h>

namespace chainkit::chain {

std::optional<Amount> parse_coins(std::string_view text) {
    const auto dot = text.find('.');
    const auto whole = text.substr(0, dot);
    const auto frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() && frac.empty()) return std::nullopt;
    if (dot != std::string_view::npos && frac.empty()) return std::nullopt;  // "5." is a typo
    if (whole.size() > 8 || frac.size() > 8) return std::nullopt;
    Amount units = 0;
    for (char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        units = units * 10 + (c - '0');
    }
    units *= COIN;
    Amount scale = COIN / 10;
    for (char c : frac) {
        if (c < '0' || c > '9') return std::nullopt;
        units += (c - '0') * scale;
        scale /= 10;
    }
    if (!money_range(units)) return std::nullopt;
    return units;
}

std::string format_coins(Amount v) {
    const bool negative = v < 0;
    // Work in unsigned so that the most negative int64 cannot overflow.
    const std::uint64_t abs = negative ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    const std::uint64_t whole = abs / COIN;
    std::uint64_t frac = abs % COIN;
    std::string out = fmt::format("{}{}", negative ? "-" : "", whole);
    if (frac != 0) {
        std::string digits = fmt::format("{:08}", frac);
        while (digits.back() == '0') digits.pop_back();
        out += "." + digits;
    }
    return out;
}

}  // namespace chainkit::chain
