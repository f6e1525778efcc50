#pragma once
// Human-readable output of the chain: a dump shaped like the original's
// spew.Dump, colored with fmt when the output is a terminal and plain when it
// is piped, and go's time.Time.String() form for new block timestamps.
// Stateless; thread-safe.

#include <chainkit/pulse/chain.hpp>
#include <chrono>
#include <span>
#include <string>

namespace chainkit::pulse {

/// Multi-line dump of the chain (ends with '\n'); ANSI colors iff `color`.
std::string format_chain(std::span<const Block> chain, bool color);
/// One line: "<N> blocks, tip <full tip hash>" (empty chain: "0 blocks").
std::string format_summary(std::span<const Block> chain);
/// UTC time as go prints time.Now().UTC().String() without the monotonic
/// clock suffix: "2006-01-02 15:04:05.123456789 +0000 UTC" (trailing zeros of
/// the fraction dropped, no fraction when it is zero).
std::string format_go_time(std::chrono::system_clock::time_point t);

}  // namespace chainkit::pulse
