#pragma once
// Base58btc (Bitcoin alphabet), as used to print multihash PeerIds.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::net::detail {

std::string base58_encode(std::span<const std::uint8_t> data);
/// nullopt on a character outside the alphabet or input over `max_len` chars.
std::optional<std::vector<std::uint8_t>> base58_decode(std::string_view text, std::size_t max_len = 128);

}  // namespace chainkit::net::detail
