#pragma once
// Command-line helpers of pulse_p2p that are worth testing apart from CLI11:
// go-style single-dash long flags and go-style durations. Stateless.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::pulse {

/// go's flag package accepts -name and --name alike; the original tutorial
/// documents `-secio`. Rewrites "-secio", "-seed", "-interval" and
/// "-genesis-timestamp" (alone or as -name=value) to the double-dash form
/// CLI11 understands; everything else is returned unchanged.
std::vector<std::string> normalize_go_flags(std::vector<std::string> args);

/// A go-style duration: a positive decimal with unit ms, s, m or h ("5s",
/// "500ms", "1.5s"); at least 10ms, at most 24h. `why` gets a one-line reason.
bool parse_duration(std::string_view text, std::chrono::milliseconds& out, std::string& why);

/// A --genesis-timestamp value: 1..MAX_TIMESTAMP_BYTES printable ASCII
/// characters (it is hashed and sent as JSON text by every peer).
bool check_genesis_timestamp(std::string_view text, std::string& why);

}  // namespace chainkit::pulse
