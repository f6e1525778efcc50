// Blocks as a peer sends them: decode, and a decoded block re-encodes to the
// very same bytes (the encoding is canonical: compact sizes in shortest form,
// no trailing bytes), so two nodes never disagree on what was received.
#include "chainkit/chain/block.hpp"
#include "chainkit/chain/merkle.hpp"

#include "chain_seeds.hpp"
#include "fuzz_util.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    return {chain::encode(seed_block(0, 0)), chain::encode(seed_block(1, 1)), chain::encode(seed_block(2, 3))};
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    chain::Block block;
    chain::DecodeError err{};
    if (!chain::decode(fuzz::as_span(data, size), block, &err)) {
        FUZZ_CHECK(err != chain::DecodeError::none);
        return 0;
    }
    FUZZ_CHECK(fuzz::same_bytes(chain::encode(block), fuzz::as_span(data, size)));
    FUZZ_CHECK(block.serialized_size() == size);
    // What a receiver computes next on a decoded block must not crash either.
    bool mutated = false;
    (void)chain::block_merkle_root(block, &mutated);
    (void)block.hash();
    return 0;
}
