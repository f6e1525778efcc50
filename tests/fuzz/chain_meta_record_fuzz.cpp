// The store's chain meta record (schema version, network magic, genesis,
// tip), read at every open: decode never crashes and re-encodes exactly.
#include "fuzz_util.hpp"
#include "records.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    chain::ChainMeta m;
    m.chain_magic = 0xc4a1b2d3;
    m.genesis.bytes().fill(0x11);
    m.tip.bytes().fill(0x22);
    return {to_bytes(store::records::encode_meta(m)), to_bytes(store::records::encode_meta(chain::ChainMeta{}))};
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    const auto meta = store::records::decode_meta(fuzz::as_text(data, size));
    if (!meta) return 0;
    const auto enc = store::records::encode_meta(*meta);
    // Only the little-endian archive form (first byte 1) decodes, so every
    // record has exactly one encoding.
    FUZZ_CHECK(enc == fuzz::as_text(data, size));
    return 0;
}
