#include "chainkit/wallet/address.hpp"

#include "chainkit/chain/base58.hpp"
#include "chainkit/wallet/errors.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chainkit::wallet {
namespace {

constexpr std::size_t PAYLOAD_SIZE = 1 + chain::KeyHash::SIZE;

Error fail(WalletErrc e, std::string message) {
    return Error{make_error_code(e), std::move(message)};
}

}  // namespace

std::string encode_address(const chain::KeyHash& h, const chain::ConsensusParams& p) {
    std::array<std::uint8_t, PAYLOAD_SIZE> payload{};
    payload[0] = p.address_version;
    std::copy(h.bytes.begin(), h.bytes.end(), payload.begin() + 1);
    return chain::base58check_encode(payload);
}

Result<chain::KeyHash> parse_address(std::string_view text, const chain::ConsensusParams& p) {
    if (text.empty()) return fail(WalletErrc::address_bad_length, "address is empty");
    // Length is checked before the checksum so that a truncated or padded
    // address says so instead of reporting a checksum mismatch.
    auto raw = chain::base58_decode(text, 64);
    if (!raw) {
        if (raw.error().code == chain::Base58Errc::bad_character)
            return fail(WalletErrc::address_bad_character, fmt::format("bad address: {}", raw.error().message));
        return fail(WalletErrc::address_bad_length,
                    fmt::format("bad address: {} characters is far longer than an address", text.size()));
    }
    if (raw->size() != PAYLOAD_SIZE + chain::BASE58_CHECKSUM_SIZE)
        return fail(WalletErrc::address_bad_length,
                    fmt::format("bad address: it decodes to {} bytes, an address has {}", raw->size(),
                                PAYLOAD_SIZE + chain::BASE58_CHECKSUM_SIZE));
    auto decoded = chain::base58check_decode(text, PAYLOAD_SIZE);
    if (!decoded)
        return fail(WalletErrc::address_bad_checksum, "bad address: checksum mismatch (mistyped or altered address)");
    const auto& payload = decoded.value();
    if (payload[0] != p.address_version)
        return fail(WalletErrc::address_wrong_network,
                    fmt::format("bad address: version byte 0x{:02x} is not the {} network's 0x{:02x}", payload[0],
                                p.name, p.address_version));
    chain::KeyHash h;
    std::copy(payload.begin() + 1, payload.end(), h.bytes.begin());
    return h;
}

}  // namespace chainkit::wallet
