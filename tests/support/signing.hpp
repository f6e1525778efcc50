// Consensus-test helpers on top of regtest_chain.hpp: spending one outpoint
// and building a mined block at a given parent and height, for tests that
// drive validation functions directly rather than a ChainState.
#pragma once

#include "support/regtest_chain.hpp"

#include <vector>

namespace chainkit::test {

// `from` spends `prev`, worth `value` (what the signature commits to), to `outs`.
inline chain::Transaction spend_outpoint(const TestKey& from, const chain::OutPoint& prev, chain::Amount value,
                                         const std::vector<chain::TxOut>& outs) {
    return make_spend({chain::OwnedCoin{prev, chain::Coin{chain::TxOut{value, from.key_hash}, 0, false}}}, from, outs);
}

// A block on `prev` at `height` with a coinbase paying `value` to `payee`
// followed by `txs`, merkle root set and mined at the easiest target.
inline chain::Block block_on(const chain::BlockHash& prev, std::uint64_t height, std::int64_t time,
                             const chain::KeyHash& payee, chain::Amount value, std::vector<chain::Transaction> txs,
                             const chain::ConsensusParams& p) {
    chain::BlockContext ctx;
    ctx.prev = prev;
    ctx.height = height;
    ctx.time = time;
    ctx.bits = p.pow_limit_bits;
    return make_block_paying(ctx, payee, value, std::move(txs), p);
}

}  // namespace chainkit::test
