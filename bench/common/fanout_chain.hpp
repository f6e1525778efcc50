// The chain the scale and connect benches start from, and the coins they
// spend: blocks 1..L whose coinbases pay `key`, block k >= 2 also carrying a
// fan-out of block k-1's coinbase into `fanout` outputs paying `key`. Every
// fan-out output is a coin the benches spend with one-input transactions.
#pragma once

#include "support/regtest_chain.hpp"

#include <cstddef>
#include <vector>

namespace chainkit::bench {

struct Fixture {
    std::vector<chain::Block> blocks;     // heights 1..L
    std::vector<chain::OwnedCoin> coins;  // fan-out outputs, oldest first
};

inline Fixture build_fixture(const chain::ConsensusParams& p, const test::TestKey& key, const chain::Block& genesis,
                             std::size_t length, std::size_t fanout) {
    Fixture f;
    f.blocks.reserve(length);
    const chain::Block* prev = &genesis;
    for (std::size_t k = 1; k <= length; ++k) {
        std::vector<chain::Transaction> txs;
        if (k >= 2) {
            const auto& cb = prev->txs.at(0);
            chain::OwnedCoin coin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs.at(0), k - 1, true}};
            const auto part = cb.outputs[0].value / static_cast<chain::Amount>(fanout);
            txs.push_back(test::make_spend({coin}, key, std::vector<chain::TxOut>(fanout, {part, key.key_hash})));
            const auto id = txs.back().txid();
            for (std::uint32_t i = 0; i < fanout; ++i)
                f.coins.push_back({chain::OutPoint{id, i}, chain::Coin{txs.back().outputs[i], k, false}});
        }
        f.blocks.push_back(test::build_child(*prev, p, key.key_hash, std::move(txs)));
        prev = &f.blocks.back();
    }
    return f;
}

// One input, one output to `key`, paying `fee`.
inline chain::Transaction spend_coin(const chain::OwnedCoin& c, const test::TestKey& key, chain::Amount fee = 0) {
    return test::make_spend({c}, key, {chain::TxOut{c.coin.out.value - fee, key.key_hash}});
}

}  // namespace chainkit::bench
