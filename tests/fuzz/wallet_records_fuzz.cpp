// The wallet file's body (Cereal records: key seeds and pending
// transactions) as decode_wallet_file reads it once the envelope checks and,
// for an encrypted file, decryption succeeded: this is the decoding "after
// the KDF", reached here without a checksum or an AEAD tag in the way.
#include "fuzz_util.hpp"
#include "wallet_records.hpp"
#include "wallet_seeds.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    std::vector<Bytes> out;
    for (auto [k, p] : {std::pair<std::size_t, std::size_t>{0, 0}, {2, 0}, {1, 2}}) {
        const auto body = wallet::detail::encode_records(seed_wallet(k, p));
        out.emplace_back(body.begin(), body.end());
    }
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    auto w = wallet::detail::decode_records(fuzz::as_span(data, size));
    if (!w) return 0;
    FUZZ_CHECK(w->keys.size() <= wallet::WALLET_MAX_KEYS && w->pending.size() <= wallet::WALLET_MAX_PENDING);
    const auto enc = wallet::detail::encode_records(*w);
    // Only the little-endian archive form (first byte 1) decodes, so every
    // record has exactly one encoding.
    FUZZ_CHECK(fuzz::same_bytes(enc, fuzz::as_span(data, size)));
    return 0;
}
