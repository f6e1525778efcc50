#include "bench_chain.hpp"

namespace chainkit::bench {

chain::Block fan_out_block(const chain::Block& prev, const test::TestKey& key, std::size_t n,
                           const chain::ConsensusParams& p) {
    const auto& cb = prev.txs[0];
    chain::OwnedCoin coin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 0, true}};
    const chain::Amount each = cb.outputs[0].value / static_cast<chain::Amount>(n);
    std::vector<chain::TxOut> outs(n, chain::TxOut{each, key.key_hash});
    auto tx = test::make_spend({coin}, key, std::move(outs));
    const chain::Amount fee = cb.outputs[0].value - each * static_cast<chain::Amount>(n);
    return test::build_child(prev, p, key.key_hash, {tx}, fee);
}

std::vector<chain::Block> spend_blocks(chain::Block prev, const chain::Transaction& source, std::size_t& next_output,
                                       std::size_t blocks, std::size_t txs_per_block, const test::TestKey& key,
                                       const chain::KeyHash& pay_to, const chain::ConsensusParams& p) {
    std::vector<chain::Block> out;
    const auto txid = source.txid();
    for (std::size_t b = 0; b < blocks; ++b) {
        std::vector<chain::Transaction> txs;
        for (std::size_t t = 0; t < txs_per_block; ++t) {
            const auto idx = static_cast<std::uint32_t>(next_output++);
            const auto& o = source.outputs.at(idx);
            chain::OwnedCoin coin{chain::OutPoint{txid, idx}, chain::Coin{o, 0, false}};
            txs.push_back(test::make_spend({coin}, key, {chain::TxOut{o.value, pay_to}}));
        }
        out.push_back(test::build_child(prev, p, key.key_hash, std::move(txs)));
        prev = out.back();
    }
    return out;
}

}  // namespace chainkit::bench
