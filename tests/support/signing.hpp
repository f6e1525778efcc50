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
    chain::Transaction tx;
    tx.inputs.push_back(chain::TxIn{prev, from.pk, {}});
    tx.outputs = outs;
    const chain::SpentOutput spent[] = {{value, from.key_hash}};
    sign_inputs(tx, spent, from);
    return tx;
}

// A block on `prev` at `height` with a coinbase paying `value` to `payee`
// followed by `txs`, merkle root set and mined at the easiest target.
inline chain::Block block_on(const chain::BlockHash& prev, std::uint64_t height, std::int64_t time,
                             const chain::KeyHash& payee, chain::Amount value, std::vector<chain::Transaction> txs,
                             const chain::ConsensusParams& p) {
    chain::Block b;
    b.header.prev = prev;
    b.header.time = time;
    b.header.bits = p.pow_limit_bits;
    b.txs.push_back(chain::make_coinbase(height, value, payee));
    for (auto& tx : txs) b.txs.push_back(std::move(tx));
    b.header.merkle_root = chain::block_merkle_root(b);
    mine_header(b.header, p);
    return b;
}

}  // namespace chainkit::test
