// Consensus parameters per network. A chain instance is these parameters
// plus a genesis block (created by `createblockchain`, shared as a file), so
// the genesis is not fixed here.
#pragma once

#include "chainkit/chain/amount.hpp"
#include "chainkit/chain/uint256.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace chainkit::chain {

enum class Network { main, regtest };

struct ConsensusParams {
    Network network = Network::regtest;
    std::string_view name;
    std::uint32_t chain_magic = 0;  // distinguishes networks in stored and wire data

    std::uint32_t pow_limit_bits = 0;  // easiest target, and the genesis target
    Uint256 pow_limit;
    std::int64_t target_spacing = 0;    // seconds between blocks the retarget aims for
    std::uint32_t retarget_window = 0;  // blocks whose timestamps the retarget reads
    std::uint32_t retarget_clamp = 0;   // max factor the target moves per window
    bool no_retargeting = false;        // regtest: bits never change

    Amount initial_subsidy = 0;
    std::uint64_t halving_interval = 0;   // blocks
    std::uint32_t coinbase_maturity = 0;  // confirmations before a coinbase output spends
    std::size_t max_block_size = 0;       // bytes, whole serialized block
    std::int64_t max_future_drift = 0;    // seconds a timestamp may run ahead of local time
    std::uint32_t mtp_window = 0;         // blocks in the median-time-past

    // Policy, not consensus: what a node relays and mines by default.
    Amount min_fee_rate = 0;           // base units per byte
    std::uint8_t address_version = 0;  // Base58Check version byte of addresses
    std::uint16_t default_port = 0;    // base port; NODE_ID is added to it
};

[[nodiscard]] ConsensusParams params_for(Network n);
[[nodiscard]] std::optional<Network> parse_network(std::string_view name);

// Subsidy at `height`: initial_subsidy halved every halving_interval blocks,
// zero after 63 halvings.
[[nodiscard]] Amount block_subsidy(std::uint64_t height, const ConsensusParams& p);

}  // namespace chainkit::chain
