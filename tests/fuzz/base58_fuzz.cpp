// Base58Check addresses typed or pasted by a user: Base58 and Base58Check
// decoding and address parsing. Round trips: decoded bytes re-encode to the
// same text (Base58 with leading '1's for zero bytes is a bijection), and a
// parsed address re-encodes to the same text.
#include "chainkit/chain/base58.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/wallet/address.hpp"

#include "fuzz_util.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    const auto p = chain::params_for(chain::Network::regtest);
    const auto m = chain::params_for(chain::Network::main);
    chain::KeyHash k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<std::uint8_t>(i * 13);
    chain::KeyHash zero;
    const Bytes raw = {0, 0, 1, 2, 3, 250};
    return {to_bytes(wallet::encode_address(k, p)), to_bytes(wallet::encode_address(k, m)),
            to_bytes(wallet::encode_address(zero, p)), to_bytes(chain::base58_encode(raw)),
            to_bytes(chain::base58check_encode(raw))};
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    const auto text = fuzz::as_text(data, size);
    if (auto raw = chain::base58_decode(text)) {
        FUZZ_CHECK(raw.value().size() <= chain::BASE58_DEFAULT_MAX_BYTES);
        FUZZ_CHECK(chain::base58_encode(raw.value()) == text);
    }
    if (auto payload = chain::base58check_decode(text)) FUZZ_CHECK(chain::base58check_encode(payload.value()) == text);
    static const auto params = chain::params_for(chain::Network::regtest);
    if (auto k = wallet::parse_address(text, params)) FUZZ_CHECK(wallet::encode_address(k.value(), params) == text);
    return 0;
}
