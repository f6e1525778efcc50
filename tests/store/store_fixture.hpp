// Fixtures for the store tests: two backends (MemoryChainStore and the
// RocksDB ChainDb in a support/scratch_dir.hpp directory) so chain-state
// behaviour is checked against the reference store and the real one; Node,
// support's TestChain over either backend (TestChain itself is memory-only);
// and an independent rebuild of balances from the active chain.
#pragma once

#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/memory_chain_store.hpp"
#include "chainkit/chain/validation.hpp"
#include "chainkit/store/chain_db.hpp"

#include "support/regtest_chain.hpp"
#include "support/scratch_dir.hpp"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace chainkit::test {

struct MemoryBackend {
    static constexpr const char* NAME = "memory";
    chain::ChainStore& open(const chain::ConsensusParams&) { return m_store; }
    chain::ChainStore& open_store() { return m_store; }
    chain::MemoryChainStore m_store;
};

struct RocksBackend {
    static constexpr const char* NAME = "rocksdb";
    chain::ChainStore& open(const chain::ConsensusParams& p) {
        auto db = store::open(m_dir.path(), p, store::OpenMode::read_write);
        if (!db) throw std::runtime_error(db.error().message);
        m_db = std::move(*db);
        return *m_db;
    }
    chain::ChainStore& open_store() { return *m_db; }
    ScratchDir m_dir{"chainkit_store"};
    std::unique_ptr<store::ChainDb> m_db;
};

// A chain state over backend B with a genesis paying key seed 1.
template <class B>
struct Node {
    Node()
        : params(chain::params_for(chain::Network::regtest)),
          miner(TestKey::from_seed(1)),
          state(params, backend.open(params)) {
        genesis = make_genesis(params, miner.key_hash);
        auto r = state.create(genesis);
        if (!r) throw std::runtime_error(r.error().message);
    }
    [[nodiscard]] std::int64_t now() const { return GENESIS_TIME + 10'000'000; }
    chain::Block build_on(const chain::BlockHash& prev, std::vector<chain::Transaction> txs = {},
                          chain::Amount fees = 0, std::uint64_t extra = 0) {
        return test::build_on(state, params, prev, miner.key_hash, std::move(txs), fees, extra);
    }
    chain::Block child(const chain::Block& prev, std::vector<chain::Transaction> txs = {}, chain::Amount fees = 0,
                       std::uint64_t extra = 0) {
        return build_child(prev, params, miner.key_hash, std::move(txs), fees, extra);
    }

    chain::ConsensusParams params;
    TestKey miner;
    B backend;
    chain::ChainState state;
    chain::Block genesis;
};

// Balances per key rebuilt by replaying the active chain into a fresh
// in-memory set, independent of the store and of ChainState::verify.
inline std::map<chain::KeyHash, chain::Amount> rebuild_balances(const chain::ChainState& cs,
                                                                const chain::ConsensusParams& p) {
    chain::MemoryUtxoSet set;
    for (std::uint64_t h = 0; h <= cs.height(); ++h) {
        auto block = cs.read_block(*cs.block_hash_at(h));
        chain::UtxoCache cache(set);
        chain::BlockUndo undo;
        if (!block || !chain::connect_block(*block, h, p, cache, undo)) throw std::runtime_error("rebuild failed");
        set.apply(cache.changes());
    }
    std::map<chain::KeyHash, chain::Amount> out;
    for (const auto& [o, c] : set.coins()) out[c.out.key_hash] += c.out.value;
    return out;
}

// Balance of `key` from the address index.
inline chain::Amount indexed_balance(const chain::ChainState& cs, const chain::KeyHash& key) {
    auto coins = cs.coins_for(key);
    if (!coins) throw std::runtime_error(coins.error().message);
    chain::Amount total = 0;
    for (const auto& c : *coins) total += c.coin.out.value;
    return total;
}

}  // namespace chainkit::test
