// Transactions as relayed: decode, then the exact-bytes round trip, the size
// a decoder reports, and the txid computed on what was decoded.
#include "chainkit/chain/block.hpp"

#include "chain_seeds.hpp"
#include "fuzz_util.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    return {chain::encode(seed_spend(1)), chain::encode(chain::make_coinbase(5, 1000, seed_key_hash(3), 9)),
            chain::encode(chain::Transaction{})};
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    chain::Transaction tx;
    if (!chain::decode(fuzz::as_span(data, size), tx)) return 0;
    FUZZ_CHECK(fuzz::same_bytes(chain::encode(tx), fuzz::as_span(data, size)));
    FUZZ_CHECK(tx.serialized_size() == size);
    FUZZ_CHECK(tx.inputs.size() <= chain::TX_MAX_INPUTS && tx.outputs.size() <= chain::TX_MAX_OUTPUTS);
    (void)tx.txid();
    if (tx.is_coinbase()) (void)tx.coinbase_height();
    return 0;
}
