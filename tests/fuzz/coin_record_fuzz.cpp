// UTXO (coin) records as the store reads them back: decode never crashes,
// never yields an amount outside the money range, and re-encodes exactly.
#include "chainkit/chain/amount.hpp"

#include "chain_seeds.hpp"
#include "fuzz_util.hpp"
#include "records.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    std::vector<Bytes> out;
    for (int i = 0; i < 3; ++i) {
        chain::Coin c;
        c.out = {1000LL * (i + 1), seed_key_hash(static_cast<std::uint8_t>(i))};
        c.height = static_cast<std::uint64_t>(i) * 7;
        c.coinbase = i == 1;
        out.push_back(to_bytes(store::records::encode_coin(c)));
    }
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    const auto coin = store::records::decode_coin(fuzz::as_text(data, size));
    if (!coin) return 0;
    FUZZ_CHECK(chain::money_range(coin->out.value));
    const auto enc = store::records::encode_coin(*coin);
    // Only the little-endian archive form (first byte 1) decodes, so every
    // record has exactly one encoding.
    FUZZ_CHECK(enc == fuzz::as_text(data, size));
    return 0;
}
