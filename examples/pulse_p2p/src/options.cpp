#include <fmt/format.h>

#include <array>
#include <chainkit/pulse/chain.hpp>
#include <chainkit/pulse/options.hpp>
#include <charconv>
#include <cmath>

namespace chainkit::pulse {

std::vector<std::string> normalize_go_flags(std::vector<std::string> args) {
    static constexpr std::array<std::string_view, 4> LONG = {"secio", "seed", "interval", "genesis-timestamp"};
    for (std::string& a : args) {
        if (a.size() < 2 || a[0] != '-' || a[1] == '-') continue;
        std::string_view name = std::string_view(a).substr(1);
        name = name.substr(0, name.find('='));
        for (std::string_view l : LONG) {
            if (name == l) {
                a.insert(a.begin(), '-');
                break;
            }
        }
    }
    return args;
}

bool parse_duration(std::string_view text, std::chrono::milliseconds& out, std::string& why) {
    std::size_t unit_at = text.find_first_not_of("0123456789.");
    std::string_view number = text.substr(0, unit_at);
    std::string_view unit = unit_at == std::string_view::npos ? std::string_view{} : text.substr(unit_at);
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc{} || end != number.data() + number.size() || !std::isfinite(value)) {
        why = fmt::format("'{}' is not a duration (e.g. 5s, 500ms, 1m)", text.substr(0, 40));
        return false;
    }
    double scale = 0;
    if (unit == "ms")
        scale = 1;
    else if (unit == "s")
        scale = 1e3;
    else if (unit == "m")
        scale = 60e3;
    else if (unit == "h")
        scale = 3600e3;
    else {
        why = fmt::format("'{}' needs a unit: ms, s, m or h (e.g. 5s)", text.substr(0, 40));
        return false;
    }
    double ms = value * scale;
    if (ms < 10 || ms > 24 * 3600e3) {
        why = fmt::format("'{}' is out of range [10ms, 24h]", text.substr(0, 40));
        return false;
    }
    out = std::chrono::milliseconds(static_cast<long long>(ms));
    return true;
}

bool check_genesis_timestamp(std::string_view text, std::string& why) {
    if (text.empty() || text.size() > MAX_TIMESTAMP_BYTES) {
        why = fmt::format("genesis timestamp must be 1 to {} characters, got {}", MAX_TIMESTAMP_BYTES, text.size());
        return false;
    }
    for (char c : text) {
        if (c < 0x20 || c > 0x7e) {
            why = "genesis timestamp must be printable ASCII";
            return false;
        }
    }
    return true;
}

}  // namespace chainkit::pulse
