// The genesis file that createblockchain exports and other nodes import
// with --genesis (docs/storage.md, "Genesis file"):
//   magic "CKGENESI" | format version u32 | chain magic u32 |
//   compact size | the genesis block's canonical bytes
// The block's own hash and merkle root protect it; import checks both and
// that it is a genesis (prev zero, bits = pow_limit_bits).
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/params.hpp"

#include <cstdint>
#include <filesystem>
#include <stop_token>

namespace chainkit::apps {

// Both throw UserError with a one-line reason.
void write_genesis_file(const std::filesystem::path& path, const chain::Block& genesis,
                        const chain::ConsensusParams& p);
[[nodiscard]] chain::Block read_genesis_file(const std::filesystem::path& path, const chain::ConsensusParams& p);

// The genesis of a new chain: coinbase at height 0 paying the subsidy to
// `to`, prev zero, bits = pow_limit_bits, mined (stops early if `stop`).
[[nodiscard]] chain::Block mine_genesis(const chain::ConsensusParams& p, const chain::KeyHash& to, std::int64_t now,
                                        std::stop_token stop);

}  // namespace chainkit::apps
