// The chain-thread cost of a block of pool transactions, per node
// (docs/performance.md, "Connecting a block per node"). scale_bench's 100 KB
// wave is bound by this CPU: 100 nodes each connect the same block on 2
// cores. Here N independent nodes (chain state over a memory store, mempool,
// signature cache, as scale_bench's nodes) share a 1,000-block chain; each
// round fills every pool with the same one-input payments, mines them into
// one block, and times on each node, one node after the other:
//   copy    the block rebuilt from the node's pool (what a compact block's
//           PartialBlock::take_block does),
//   accept  ChainState::accept_block with the pool's hashes: checks, connect,
//           store write, the pool's removal of the block's transactions.
// With N = 100 every node's structures are cold when its turn comes (the 99
// others ran in between), as in scale_bench; N = 1 shows the warm cost.
// Usage: connect_bench [nodes] [rounds] [transactions per block]  (default 100 5 602)
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/memory_chain_store.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/sig_cache.hpp"

#include "common/fanout_chain.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

using namespace chainkit;

namespace {

using Clock = std::chrono::steady_clock;

struct BenchNode {
    BenchNode(const chain::ConsensusParams& p, const chain::Block& genesis)
        : chain(p, store), pool((create(genesis), p), chain.utxo(), chain.height()) {
        chain.set_sig_cache(&sig_cache);
        pool.set_sig_cache(&sig_cache);
        chain.add_observer(&pool);
    }
    chain::MemoryChainStore store;
    chain::ChainState chain;
    chain::Mempool pool;
    chain::SigCache sig_cache;

private:
    void create(const chain::Block& genesis) {
        if (!chain.create(genesis).ok()) throw std::runtime_error("create failed");
    }
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::size_t arg(int argc, char** argv, int i, std::size_t def) {
    if (argc <= i) return def;
    char* end = nullptr;
    const auto v = std::strtoul(argv[i], &end, 10);
    if (*end != '\0' || v == 0) throw std::invalid_argument(fmt::format("argument {} must be a positive count", i));
    return v;
}

int run(int argc, char** argv) {
    const std::size_t nodes = arg(argc, argv, 1, 100), rounds = arg(argc, argv, 2, 5),
                      per_block = arg(argc, argv, 3, 602);
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = test::TestKey::from_seed(7);
    const auto genesis = test::make_genesis(p, key.key_hash);
    constexpr std::size_t CHAIN = 1000;
    auto fx = bench::build_fixture(p, key, genesis, CHAIN, 16);
    if (fx.coins.size() < rounds * per_block)
        throw std::invalid_argument("not enough coins: fewer rounds or transactions");
    const std::int64_t now = test::GENESIS_TIME + static_cast<std::int64_t>(CHAIN + rounds + 10) * p.target_spacing;

    auto t = Clock::now();
    std::vector<std::unique_ptr<BenchNode>> all;
    for (std::size_t i = 0; i < nodes; ++i) {
        all.push_back(std::make_unique<BenchNode>(p, genesis));
        for (const auto& b : fx.blocks)
            if (!all.back()->chain.accept_block(b, now).ok()) throw std::runtime_error("fixture block refused");
    }
    fmt::print("connect_bench: {} nodes with the {}-block chain in {:.1f} s; {} rounds of {}-transaction blocks\n",
               nodes, CHAIN, ms_since(t) / 1000, rounds, per_block);

    std::vector<double> copy_ms, accept_ms, round_ms;
    chain::Block tip = fx.blocks.back();
    for (std::size_t r = 0; r < rounds; ++r) {
        std::vector<chain::Transaction> txs;
        for (std::size_t i = 0; i < per_block; ++i) txs.push_back(bench::spend_coin(fx.coins[r * per_block + i], key));
        for (auto& n : all)
            for (const auto& tx : txs)
                if (!n->pool.accept(tx)) throw std::runtime_error("payment refused by a pool");
        tip = test::build_child(tip, p, key.key_hash, txs);
        std::vector<chain::WtxId> wtxids;
        std::vector<chain::TxId> txids;
        for (const auto& tx : tip.txs) {
            wtxids.push_back(tx.wtxid());
            txids.push_back(tx.txid());
        }
        double copy_sum = 0, accept_sum = 0;
        for (auto& n : all) {
            auto t0 = Clock::now();
            chain::Block rebuilt;
            rebuilt.header = tip.header;
            rebuilt.txs.reserve(tip.txs.size());
            rebuilt.txs.push_back(tip.txs[0]);
            for (std::size_t i = 1; i < tip.txs.size(); ++i) rebuilt.txs.push_back(n->pool.get(tip.txs[i].txid())->tx);
            copy_sum += ms_since(t0);
            t0 = Clock::now();
            if (!n->chain.accept_block(rebuilt, now, chain::LOCAL_PEER, wtxids, txids).ok() ||
                n->chain.tip().hash != tip.hash())
                throw std::runtime_error("block not connected");
            accept_sum += ms_since(t0);
            if (n->pool.size() != 0) throw std::runtime_error("pool not emptied by the block");
        }
        copy_ms.push_back(copy_sum / static_cast<double>(nodes));
        accept_ms.push_back(accept_sum / static_cast<double>(nodes));
        round_ms.push_back(copy_sum + accept_sum);
    }
    const double c = median(copy_ms), a = median(accept_ms);
    fmt::print(
        "per node and block (median of {} rounds): copy {:.3f} ms, accept {:.3f} ms; {:.2f} us per transaction\n",
        rounds, c, a, 1000 * (c + a) / static_cast<double>(per_block));
    fmt::print("all {} nodes, one after the other: {:.0f} ms per block (median)\n", nodes, median(round_ms));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (sodium_init() < 0) return 1;
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "connect_bench: {}\n", e.what());
        return 1;
    }
}
