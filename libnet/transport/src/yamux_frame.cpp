#include "yamux_frame.hpp"

namespace chainkit::net::detail {

std::array<std::uint8_t, YAMUX_HEADER_SIZE> YamuxHeader::encode() const {
    std::array<std::uint8_t, YAMUX_HEADER_SIZE> b{};
    b[0] = 0;
    b[1] = static_cast<std::uint8_t>(type);
    b[2] = static_cast<std::uint8_t>(flags >> 8);
    b[3] = static_cast<std::uint8_t>(flags);
    for (int i = 0; i < 4; ++i) {
        b[4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(stream_id >> (24 - 8 * i));
        b[8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
    }
    return b;
}

std::optional<YamuxHeader> YamuxHeader::decode(std::span<const std::uint8_t, YAMUX_HEADER_SIZE> b) {
    if (b[0] != 0 || b[1] > static_cast<std::uint8_t>(YamuxType::go_away)) return std::nullopt;
    YamuxHeader h;
    h.type = static_cast<YamuxType>(b[1]);
    h.flags = static_cast<std::uint16_t>(b[2] << 8 | b[3]);
    for (int i = 0; i < 4; ++i) {
        h.stream_id = h.stream_id << 8 | b[4 + static_cast<std::size_t>(i)];
        h.length = h.length << 8 | b[8 + static_cast<std::size_t>(i)];
    }
    return h;
}

}  // namespace chainkit::net::detail
