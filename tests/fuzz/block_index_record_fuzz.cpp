// Block-index records as the RocksDB store reads them back
// (libchain/store/src/records.cpp): a corrupt or hostile database must give
// "corrupt", never a crash; a record that decodes re-encodes to its bytes.
#include "chain_seeds.hpp"
#include "fuzz_util.hpp"
#include "records.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    std::vector<Bytes> out;
    for (std::uint8_t s = 0; s <= 4; s += 2) {
        chain::BlockIndexRecord r;
        r.header = seed_block(s, 1).header;
        r.height = s * 1000u;
        r.chain_work = chain::Uint256(0x1234567890ULL * (s + 1));
        r.status = static_cast<chain::BlockStatus>(s);
        out.push_back(to_bytes(store::records::encode_index(r)));
    }
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    const auto rec = store::records::decode_index(fuzz::as_text(data, size));
    if (!rec) return 0;
    const auto enc = store::records::encode_index(*rec);
    // Only the little-endian archive form (first byte 1) decodes, so every
    // record has exactly one encoding.
    FUZZ_CHECK(enc == fuzz::as_text(data, size));
    return 0;
}
