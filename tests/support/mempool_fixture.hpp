// Test fixture for the mempool and block templates: an in-memory chain
// (MemoryUtxoSet + connect_block/disconnect_block) that tells a Mempool what
// happened the way ChainState does, plus funded keys and signed spends.
// Header-only; link Sodium::sodium and chainkit::chain.
#pragma once

#include "chainkit/chain/block_template.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/utxo.hpp"
#include "chainkit/chain/validation.hpp"

#include "support/regtest_chain.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace chainkit::test {

// Regtest rules with a fee floor, so fee policy is exercised.
inline chain::ConsensusParams mempool_params() {
    auto p = chain::params_for(chain::Network::regtest);
    p.min_fee_rate = 1;
    return p;
}

// A chain of blocks held in memory; observers see each change in chain order.
class MemoryChain {
public:
    explicit MemoryChain(const chain::ConsensusParams& p) : params(p) {}

    // A confirmed coin worth `value` paying `key`, as if from an old block.
    chain::OwnedCoin fund(const TestKey& key, chain::Amount value, bool coinbase = false, std::uint64_t height = 0) {
        chain::OutPoint o{funding_txid(), 0};
        chain::Coin c{chain::TxOut{value, key.key_hash}, height, coinbase};
        utxo.add(o, c);
        return chain::OwnedCoin{o, c};
    }

    [[nodiscard]] chain::BlockContext next_context() const {
        chain::BlockContext ctx;
        ctx.prev = blocks.empty() ? chain::BlockHash{} : blocks.back().hash();
        ctx.height = tip_height + 1;
        ctx.bits = params.pow_limit_bits;
        ctx.median_time_past = GENESIS_TIME + static_cast<std::int64_t>(tip_height);
        ctx.time = ctx.median_time_past + 1;
        return ctx;
    }

    // A mined block on the tip paying the coinbase to `to` (fees claimed).
    [[nodiscard]] chain::Block build(std::vector<chain::Transaction> txs, const chain::KeyHash& to,
                                     chain::Amount fees = 0, std::uint64_t extra = 0) const {
        return make_block(next_context(), to, std::move(txs), params, fees, extra);
    }

    // Connects `b` to the UTXO set without telling anyone; throws if invalid.
    void apply_connect(const chain::Block& b) {
        if (auto r = chain::check_block(b, params); !r) throw std::runtime_error("check_block: " + r.message);
        chain::UtxoCache cache(utxo);
        chain::BlockUndo undo;
        if (auto r = chain::connect_block(b, tip_height + 1, params, cache, undo); !r)
            throw std::runtime_error("connect_block: " + r.message);
        utxo.apply(cache.changes());
        blocks.push_back(b);
        undos.push_back(std::move(undo));
        ++tip_height;
    }
    chain::Block apply_disconnect() {
        chain::UtxoCache cache(utxo);
        chain::Block b = blocks.back();
        if (!chain::disconnect_block(b, undos.back(), cache)) throw std::runtime_error("disconnect_block failed");
        utxo.apply(cache.changes());
        blocks.pop_back();
        undos.pop_back();
        --tip_height;
        return b;
    }

    static std::vector<chain::TxId> txids_of(const chain::Block& b) {
        std::vector<chain::TxId> ids;
        for (const auto& tx : b.txs) ids.push_back(tx.txid());
        return ids;
    }

    // One connect as ChainState reports it: block connected, then tip.
    void connect(const chain::Block& b, chain::ChainObserver& o) {
        apply_connect(b);
        o.on_block_connected(b, tip_height, txids_of(b));
        o.on_tip_changed(b.hash(), tip_height);
    }

    // A reorg committed at once, then reported: every disconnect (newest
    // first), every connect, one tip change.
    void reorg(std::size_t depth, const std::vector<chain::Block>& branch, chain::ChainObserver& o) {
        std::vector<std::pair<chain::Block, std::uint64_t>> gone;
        for (std::size_t i = 0; i < depth; ++i) {
            const auto h = tip_height;
            gone.emplace_back(apply_disconnect(), h);
        }
        for (const auto& b : branch) apply_connect(b);
        for (const auto& [b, h] : gone) o.on_block_disconnected(b, h);
        for (std::size_t i = 0; i < branch.size(); ++i)
            o.on_block_connected(branch[i], tip_height - branch.size() + 1 + i, txids_of(branch[i]));
        o.on_tip_changed(blocks.back().hash(), tip_height);
    }

    chain::ConsensusParams params;
    chain::MemoryUtxoSet utxo;
    std::vector<chain::Block> blocks;
    std::vector<chain::BlockUndo> undos;
    std::uint64_t tip_height = 0;

private:
    chain::TxId funding_txid() {
        std::array<std::uint8_t, 32> b{};
        b[0] = 0xf0;
        for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i + 1)] = static_cast<std::uint8_t>(m_funded >> (8 * i));
        ++m_funded;
        return chain::TxId(b);
    }
    std::uint64_t m_funded = 0;
};

// Output `index` of a pool or block transaction, as a coin to spend again.
inline chain::OwnedCoin coin_of(const chain::Transaction& tx, std::uint32_t index) {
    return chain::OwnedCoin{chain::OutPoint{tx.txid(), index}, chain::Coin{tx.outputs[index], 0, false}};
}

// Spends `coins` (all paying `from`) to one output for `to` of their value
// minus `fee`.
inline chain::Transaction pay(const std::vector<chain::OwnedCoin>& coins, const TestKey& from, const chain::KeyHash& to,
                              chain::Amount fee) {
    chain::Amount total = 0;
    for (const auto& c : coins) total += c.coin.out.value;
    return make_spend(coins, from, {chain::TxOut{total - fee, to}});
}

// A fee comfortably above 1 unit/byte for a small transaction.
inline constexpr chain::Amount FEE = 1'000;

// The setup the mempool and template tests share: a funded in-memory chain,
// two keys and a pool at height 0 under mempool_params().
struct PoolFixture {
    chain::ConsensusParams params = mempool_params();
    MemoryChain chain{params};
    TestKey alice = TestKey::from_seed(1);
    TestKey bob = TestKey::from_seed(2);
    chain::Mempool pool{chain.params, chain.utxo, 0};

    // A one-input spend of a fresh 10-coin coin of alice's to bob, paying `fee`.
    [[nodiscard]] chain::Transaction spend(chain::Amount fee) {
        return pay({chain.fund(alice, 10 * chain::COIN)}, alice, bob.key_hash, fee);
    }
    chain::RejectReason reason(const chain::Transaction& tx) { return pool.accept(tx).validation.reason; }
};

// The txids of a block's transactions after its coinbase, in block order.
inline std::vector<chain::TxId> txids_after_coinbase(const chain::Block& b) {
    std::vector<chain::TxId> out;
    for (std::size_t i = 1; i < b.txs.size(); ++i) out.push_back(b.txs[i].txid());
    return out;
}

}  // namespace chainkit::test
