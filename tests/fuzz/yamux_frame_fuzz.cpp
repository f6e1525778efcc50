// yamux frame headers (12 bytes, big-endian): decode, then re-encode to the
// same bytes; anything else (version not 0, unknown type) is refused.
#include "fuzz_util.hpp"
#include "yamux_frame.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    using namespace net::detail;
    std::vector<Bytes> out;
    for (const YamuxHeader& h :
         {YamuxHeader{YamuxType::data, yamux_flag::SYN, 1, 5},
          YamuxHeader{YamuxType::window_update, yamux_flag::ACK, 2, 1 << 20},
          YamuxHeader{YamuxType::ping, yamux_flag::SYN, 0, 7}, YamuxHeader{YamuxType::go_away, 0, 0, 1}}) {
        const auto b = h.encode();
        out.emplace_back(b.begin(), b.end());
    }
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit::net::detail;
    if (size != YAMUX_HEADER_SIZE) return 0;
    const auto h = YamuxHeader::decode(std::span<const std::uint8_t, YAMUX_HEADER_SIZE>(data, YAMUX_HEADER_SIZE));
    if (!h) {
        FUZZ_CHECK(data[0] != 0 || data[1] > 3);
        return 0;
    }
    FUZZ_CHECK(chainkit::fuzz::same_bytes(h->encode(), chainkit::fuzz::as_span(data, size)));
    return 0;
}
