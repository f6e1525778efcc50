// Addresses: Base58Check(version byte || 20-byte key hash), the version byte
// being the network's params.address_version. Pure functions; thread-safe.
#pragma once

#include "chainkit/chain/keys.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/result.hpp"

#include <string>
#include <string_view>

namespace chainkit::wallet {

[[nodiscard]] std::string encode_address(const chain::KeyHash& h, const chain::ConsensusParams& p);

// The key hash an address pays to. Each failure has its own WalletErrc
// (address_bad_character, _bad_length, _bad_checksum, _wrong_network) and a
// one-line message naming what is wrong.
[[nodiscard]] Result<chain::KeyHash> parse_address(std::string_view text, const chain::ConsensusParams& p);

}  // namespace chainkit::wallet
