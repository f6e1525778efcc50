// Block headers (the 88-byte fixed layout headers-first sync receives):
// decode, then re-encode to the same bytes.
#include "chainkit/chain/block.hpp"

#include "chain_seeds.hpp"
#include "fuzz_util.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    std::vector<Bytes> out;
    for (std::uint64_t h : {0u, 1u, 77u}) {
        const auto enc = seed_block(h, 1).header.encode();
        out.emplace_back(enc.begin(), enc.end());
    }
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    chain::BlockHeader h;
    if (!chain::decode(fuzz::as_span(data, size), h)) {
        FUZZ_CHECK(size != chain::HEADER_SIZE);  // every 88 bytes are some header
        return 0;
    }
    FUZZ_CHECK(size == chain::HEADER_SIZE);
    FUZZ_CHECK(fuzz::same_bytes(h.encode(), fuzz::as_span(data, size)));
    (void)h.hash();
    return 0;
}
