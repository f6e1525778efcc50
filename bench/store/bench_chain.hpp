// Builders for the store benchmarks: chains of signed transactions fed to a
// ChainState, with the signing done before timing starts.
#pragma once

#include "chainkit/chain/chain_state.hpp"

#include "support/regtest_chain.hpp"

#include <cstdint>
#include <vector>

namespace chainkit::bench {

// A block whose single non-coinbase transaction splits `prev`'s coinbase
// (paying `key`) into `n` outputs to `key`, on top of `prev`.
chain::Block fan_out_block(const chain::Block& prev, const test::TestKey& key, std::size_t n,
                           const chain::ConsensusParams& p);

// Pre-signed blocks on `prev`, each with `txs_per_block` one-input
// transactions spending consecutive outputs of `source` (a fan-out tx paying
// `key`) starting at `*next_output`, to `pay_to`.
std::vector<chain::Block> spend_blocks(chain::Block prev, const chain::Transaction& source, std::size_t& next_output,
                                       std::size_t blocks, std::size_t txs_per_block, const test::TestKey& key,
                                       const chain::KeyHash& pay_to, const chain::ConsensusParams& p);

}  // namespace chainkit::bench
