#pragma once
// yamux frame header (hashicorp/yamux spec.md, libp2p/specs yamux): 12 bytes,
// big-endian: version(1)=0, type(1), flags(2), stream id(4), length(4).

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace chainkit::net::detail {

enum class YamuxType : std::uint8_t { data = 0, window_update = 1, ping = 2, go_away = 3 };

namespace yamux_flag {
inline constexpr std::uint16_t SYN = 1, ACK = 2, FIN = 4, RST = 8;
}

enum class GoAwayCode : std::uint32_t { normal = 0, protocol_error = 1, internal_error = 2 };

inline constexpr std::size_t YAMUX_HEADER_SIZE = 12;
inline constexpr std::uint32_t YAMUX_INITIAL_WINDOW = 256 * 1024;

struct YamuxHeader {
    YamuxType type = YamuxType::data;
    std::uint16_t flags = 0;
    std::uint32_t stream_id = 0;
    std::uint32_t length = 0;

    bool has(std::uint16_t f) const noexcept { return (flags & f) != 0; }
    std::array<std::uint8_t, YAMUX_HEADER_SIZE> encode() const;
    /// nullopt on a wrong version or an unknown type.
    static std::optional<YamuxHeader> decode(std::span<const std::uint8_t, YAMUX_HEADER_SIZE> b);
};

}  // namespace chainkit::net::detail
