#include <chainkit/net/varint.hpp>

namespace chainkit::net {

void append_uvarint(std::vector<std::uint8_t>& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

std::optional<VarintDecoded> decode_uvarint(std::span<const std::uint8_t> in, bool* incomplete) {
    if (incomplete) *incomplete = false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < MAX_VARINT_BYTES; ++i) {
        if (i == in.size()) {
            if (incomplete) *incomplete = true;
            return std::nullopt;
        }
        const std::uint8_t b = in[i];
        v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            // The multiformats spec requires minimal encoding: no trailing zero group.
            if (b == 0 && i > 0) return std::nullopt;
            return VarintDecoded{v, i + 1};
        }
    }
    return std::nullopt;  // longer than 9 bytes
}

}  // namespace chainkit::net
