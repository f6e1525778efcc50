// JSON shapes of blocks, headers and transactions shared by the methods
// (docs/rpc.md shows each). Amounts are integers in base units, hashes
// lowercase hex, addresses Base58Check. Pure functions; thread-safe.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/keys.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/uint256.hpp"
#include "chainkit/rpc/registry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chainkit::rpc::detail {

// Where a block stands, as the chain state saw it when it was read.
struct BlockPlace {
    std::uint64_t height = 0;
    std::int64_t confirmations = -1;       // -1: not on the active chain
    std::optional<chain::BlockHash> next;  // on the active chain
};

[[nodiscard]] std::string encode_address(const chain::KeyHash& h, const chain::ConsensusParams& p);
// The key hash an address pays to; throws RpcError(invalid_address_or_key)
// naming what is wrong (characters, length, checksum, network).
[[nodiscard]] chain::KeyHash parse_address(std::string_view text, const chain::ConsensusParams& p);

// Work needed for `bits` relative to the easiest target (1.0 at pow_limit).
[[nodiscard]] double difficulty(std::uint32_t bits, const chain::ConsensusParams& p);
// Expected hashes to find a block at `bits`: 2^256 / (target + 1).
[[nodiscard]] double hashes_per_block(std::uint32_t bits);

[[nodiscard]] Json header_json(const chain::BlockHeader& h, const BlockPlace& place, const chain::ConsensusParams& p);
[[nodiscard]] Json tx_json(const chain::Transaction& tx, const chain::ConsensusParams& p);
[[nodiscard]] Json block_json(const chain::Block& b, const BlockPlace& place, const chain::ConsensusParams& p);

}  // namespace chainkit::rpc::detail
