// Unsigned varints (multiformats): every libp2p length prefix and protocol
// code goes through decode_uvarint. A decoded varint is minimal, so its
// re-encoding equals the bytes it was read from.
#include "fuzz_util.hpp"

#include <chainkit/net/varint.hpp>

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    std::vector<Bytes> out;
    for (std::uint64_t v : {0ULL, 127ULL, 128ULL, 300ULL, 0xffffffffULL, (1ULL << 63) - 1}) {
        Bytes b;
        net::append_uvarint(b, v);
        out.push_back(b);
    }
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    bool incomplete = false;
    auto v = net::decode_uvarint(fuzz::as_span(data, size), &incomplete);
    if (!v) return 0;
    FUZZ_CHECK(!incomplete && v->size >= 1 && v->size <= net::MAX_VARINT_BYTES && v->size <= size);
    fuzz::Bytes again;
    net::append_uvarint(again, v->value);
    FUZZ_CHECK(fuzz::same_bytes(again, fuzz::as_span(data, v->size)));
    return 0;
}
