// Block undo records as the store reads them back: the count is checked
// against the record size before allocating; a decoded record re-encodes
// exactly and every coin in it is a valid amount.
#include "chainkit/chain/amount.hpp"

#include "chain_seeds.hpp"
#include "fuzz_util.hpp"
#include "records.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    std::vector<Bytes> out;
    for (std::uint32_t n : {0u, 1u, 3u}) {
        chain::BlockUndo u;
        for (std::uint32_t i = 0; i < n; ++i) {
            chain::OutPoint o;
            o.txid.bytes().fill(static_cast<std::uint8_t>(i + 1));
            o.index = i;
            chain::Coin c;
            c.out = {500 + i, seed_key_hash(static_cast<std::uint8_t>(i))};
            c.height = i;
            c.coinbase = i == 0;
            u.spent.emplace_back(o, c);
        }
        out.push_back(to_bytes(store::records::encode_undo(u)));
    }
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    const auto undo = store::records::decode_undo(fuzz::as_text(data, size));
    if (!undo) return 0;
    for (const auto& [o, c] : undo->spent) FUZZ_CHECK(chain::money_range(c.out.value));
    const auto enc = store::records::encode_undo(*undo);
    // Only the little-endian archive form (first byte 1) decodes, so every
    // record has exactly one encoding.
    FUZZ_CHECK(enc == fuzz::as_text(data, size));
    return 0;
}
