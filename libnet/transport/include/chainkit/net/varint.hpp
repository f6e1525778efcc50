#pragma once
// Unsigned LEB128 varints as multiformats/libp2p use them (at most 9 bytes,
// minimal encoding required on decode). Pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace chainkit::net {

inline constexpr std::size_t MAX_VARINT_BYTES = 9;

/// Appends the varint encoding of `v` to `out`.
void append_uvarint(std::vector<std::uint8_t>& out, std::uint64_t v);

struct VarintDecoded {
    std::uint64_t value;
    std::size_t size;  // bytes consumed
};

/// Decodes a varint at the front of `in`. nullopt if `in` ends before the
/// varint does (`incomplete` set) or if it is over-long/non-minimal.
std::optional<VarintDecoded> decode_uvarint(std::span<const std::uint8_t> in, bool* incomplete = nullptr);

}  // namespace chainkit::net
