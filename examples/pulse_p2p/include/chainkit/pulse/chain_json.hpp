#pragma once
// The wire form of a chain, as the original exchanges it on /p2p/1.0.0: one
// JSON array of {"Index","Timestamp","BPM","Hash","PrevHash"} objects (go's
// encoding/json field names and order), then '\n'. Stateless; thread-safe.

#include <chainkit/pulse/chain.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::pulse {

/// Compact JSON of the chain, fields in the original struct's order, without
/// the trailing newline.
std::string to_json(std::span<const Block> chain);
/// to_json(chain) + '\n': what is written to a stream.
std::string to_json_line(std::span<const Block> chain);
/// Indented JSON (two spaces), as the original's json.MarshalIndent.
std::string to_json_pretty(std::span<const Block> chain);

struct ParseLimits {
    std::size_t max_line_bytes = MAX_LINE_BYTES;
    std::size_t max_blocks = MAX_CHAIN_BLOCKS;
};

/// Parses one received line (without '\n'; a trailing '\r' is tolerated).
/// Strict where go's encoding/json into []Block would fail (wrong types,
/// fractional or out-of-range integers) and where our bounds apply (block
/// count, Timestamp and hash lengths); unknown fields are ignored as go does.
/// Missing fields are refused: every real peer writes all five. Streams the
/// JSON (SAX) straight into blocks and stops at the first fault, so memory
/// stays proportional to the accepted blocks, not to the JSON's shape.
/// `out` is only assigned on success. Never throws.
Verdict parse_chain(std::string_view line, std::vector<Block>& out, const ParseLimits& limits = {});

}  // namespace chainkit::pulse
