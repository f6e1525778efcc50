// Test fixture: deterministic Ed25519 keys, signed spends and mined regtest
// blocks, plus TestChain (a ChainState over a MemoryChainStore) that mines
// blocks on its tip. Shared by the chain-state, store, mempool and wallet
// tests. Header-only; link Sodium::sodium and chainkit::chain.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/memory_chain_store.hpp"
#include "chainkit/chain/merkle.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/pow.hpp"
#include "chainkit/chain/transaction.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace chainkit::test {

inline constexpr std::int64_t GENESIS_TIME = 1'700'000'000;

struct TestKey {
    chain::PublicKey pk{};
    std::array<std::uint8_t, 64> sk{};
    chain::KeyHash key_hash;

    // Same seed, same key: tests are reproducible.
    static TestKey from_seed(std::uint32_t seed) {
        if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
        std::array<std::uint8_t, 32> s{};
        for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(seed >> (8 * i));
        s[31] = 0xc7;
        TestKey k;
        crypto_sign_seed_keypair(k.pk.data(), k.sk.data(), s.data());
        k.key_hash = chain::key_hash_of(k.pk);
        return k;
    }
};

// Fills pubkey and signature of every input; all inputs belong to `key`.
inline void sign_inputs(chain::Transaction& tx, std::span<const chain::SpentOutput> spent, const TestKey& key) {
    for (auto& in : tx.inputs) in.pubkey = key.pk;
    const chain::SignatureHasher hasher(tx, spent);
    for (std::uint32_t i = 0; i < tx.inputs.size(); ++i) {
        const auto msg = hasher.hash(i);
        crypto_sign_detached(tx.inputs[i].signature.data(), nullptr, msg.data(), msg.SIZE, key.sk.data());
    }
}

// A signed transaction spending `coins` (all paying `from`) to `outputs`.
inline chain::Transaction make_spend(const std::vector<chain::OwnedCoin>& coins, const TestKey& from,
                                     std::vector<chain::TxOut> outputs) {
    chain::Transaction tx;
    std::vector<chain::SpentOutput> spent;
    for (const auto& c : coins) {
        chain::TxIn in;
        in.prevout = c.outpoint;
        tx.inputs.push_back(in);
        spent.push_back(chain::SpentOutput{c.coin.out.value, c.coin.out.key_hash});
    }
    tx.outputs = std::move(outputs);
    sign_inputs(tx, spent, from);
    return tx;
}

// Varies the nonce until the header meets its own bits (regtest: ~2 tries).
inline void mine_header(chain::BlockHeader& h, const chain::ConsensusParams& p) {
    while (!chain::check_proof_of_work(h.hash(), h.bits, p.pow_limit)) ++h.nonce;
}

// A mined block on `ctx` whose coinbase pays exactly `value` to `to` (any
// value: tests of the coinbase limit pay too much on purpose).
inline chain::Block make_block_paying(const chain::BlockContext& ctx, const chain::KeyHash& to, chain::Amount value,
                                      std::vector<chain::Transaction> txs, const chain::ConsensusParams& p,
                                      std::uint64_t extra = 0) {
    chain::Block b;
    b.header.prev = ctx.prev;
    b.header.time = ctx.time;
    b.header.bits = ctx.bits;
    b.txs.push_back(chain::make_coinbase(ctx.height, value, to, extra));
    for (auto& tx : txs) b.txs.push_back(std::move(tx));
    b.header.merkle_root = chain::block_merkle_root(b);
    mine_header(b.header, p);
    return b;
}

// A mined block on `ctx` whose coinbase pays subsidy + `fees` to `to`.
inline chain::Block make_block(const chain::BlockContext& ctx, const chain::KeyHash& to,
                               std::vector<chain::Transaction> txs, const chain::ConsensusParams& p,
                               chain::Amount fees = 0, std::uint64_t extra = 0) {
    return make_block_paying(ctx, to, chain::block_subsidy(ctx.height, p) + fees, std::move(txs), p, extra);
}

inline chain::Block make_genesis(const chain::ConsensusParams& p, const chain::KeyHash& to,
                                 std::int64_t time = GENESIS_TIME) {
    chain::BlockContext ctx;
    ctx.bits = p.pow_limit_bits;
    ctx.time = time;
    return make_block(ctx, to, {}, p);
}

// A mined block on `prev` (any branch `cs` knows) one target spacing after
// it; regtest bits (no retargeting).
inline chain::Block build_on(const chain::ChainState& cs, const chain::ConsensusParams& p, const chain::BlockHash& prev,
                             const chain::KeyHash& to, std::vector<chain::Transaction> txs = {}, chain::Amount fees = 0,
                             std::uint64_t extra = 0) {
    const auto prev_height = cs.height_of(prev);
    if (!prev_height) throw std::invalid_argument("build_on: parent unknown to the chain state (use build_child)");
    chain::BlockContext ctx;
    ctx.prev = prev;
    ctx.height = *prev_height + 1;
    ctx.bits = p.pow_limit_bits;
    ctx.time = cs.header(prev)->time + p.target_spacing;
    return make_block(ctx, to, std::move(txs), p, fees, extra);
}

// A mined block on `prev` (its height read from prev's coinbase), one target
// spacing later, same bits: for branches no chain state has seen yet.
inline chain::Block build_child(const chain::Block& prev, const chain::ConsensusParams& p, const chain::KeyHash& to,
                                std::vector<chain::Transaction> txs = {}, chain::Amount fees = 0,
                                std::uint64_t extra = 0) {
    chain::BlockContext ctx;
    ctx.prev = prev.hash();
    ctx.height = prev.txs.at(0).coinbase_height() + 1;
    ctx.bits = prev.header.bits;
    ctx.time = prev.header.time + p.target_spacing;
    return make_block(ctx, to, std::move(txs), p, fees, extra);
}

// A chain state over an in-memory store with a mined genesis paying `miner`.
// Block times advance one target spacing per block from GENESIS_TIME.
class TestChain {
public:
    explicit TestChain(chain::Network net = chain::Network::regtest, std::uint32_t miner_seed = 1)
        : params(chain::params_for(net)), miner(TestKey::from_seed(miner_seed)), state(params, store) {
        genesis = make_genesis(params, miner.key_hash);
        if (!state.create(genesis)) throw std::runtime_error("TestChain: create failed");
    }

    [[nodiscard]] std::int64_t now() const { return GENESIS_TIME + 1'000'000; }

    // Builds (does not accept) a block on `prev` (tip by default).
    chain::Block build(std::vector<chain::Transaction> txs = {}, chain::Amount fees = 0, std::uint64_t extra = 0) {
        return build_on(state.tip().hash, std::move(txs), fees, extra);
    }
    chain::Block build_on(const chain::BlockHash& prev, std::vector<chain::Transaction> txs = {},
                          chain::Amount fees = 0, std::uint64_t extra = 0) {
        return test::build_on(state, params, prev, miner.key_hash, std::move(txs), fees, extra);
    }
    // Builds a block on the tip and accepts it; throws if refused.
    chain::Block mine(std::vector<chain::Transaction> txs = {}, chain::Amount fees = 0) {
        auto b = build(std::move(txs), fees);
        auto r = state.accept_block(b, now());
        if (!r.ok()) throw std::runtime_error("TestChain::mine refused: " + r.validation.message);
        return b;
    }

    chain::ConsensusParams params;
    TestKey miner;
    chain::MemoryChainStore store;
    chain::ChainState state;
    chain::Block genesis;
};

}  // namespace chainkit::test
