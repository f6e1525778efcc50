// The miner role of a running node: builds a block template from the
// mempool on the chain thread, searches nonces on its own threads, and
// hands what it finds to the node, which validates and announces it. It
// mines when at least `min_txs` transactions wait (the tutorial's rule) or,
// with `continuous`, all the time; a new tip cancels the search at once.
// Lives on the network thread (io); never blocks it.
#pragma once

#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/chain_worker.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/miner.hpp"
#include "chainkit/node/node.hpp"
#include "chainkit/rpc/mining_methods.hpp"

#include <asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <stop_token>
#include <thread>

namespace chainkit::apps {

struct MinerPolicy {
    std::size_t min_txs = 2;
    bool continuous = false;
    unsigned threads = 0;
};

class NodeMiner {
public:
    NodeMiner(asio::io_context& io, node::Node& node, chain::ChainWorker& worker, chain::ChainState& chain,
              chain::Mempool& mempool, chain::ConsensusParams params, chain::KeyHash payout, MinerPolicy policy);
    ~NodeMiner();
    NodeMiner(const NodeMiner&) = delete;
    NodeMiner& operator=(const NodeMiner&) = delete;

    // Starts a search when there is work and none runs (called periodically).
    void tick();
    // Cancels any search and joins its thread.
    void stop();
    // Hash rate measured over the last search, threads, blocks found.
    // Thread-safe (read by RPC threads).
    [[nodiscard]] rpc::MinerStatus status() const;

private:
    void start_search(chain::Block block, std::uint64_t height, std::size_t txs);
    void found(chain::Block block, std::uint64_t height, chain::MineResult result);

    asio::io_context& m_io;
    node::Node& m_node;
    chain::ChainWorker& m_worker;
    chain::ChainState& m_chain;
    chain::Mempool& m_mempool;
    chain::ConsensusParams m_params;
    chain::KeyHash m_payout;
    MinerPolicy m_policy;
    bool m_busy = false;  // a template is being built or searched
    bool m_stopped = false;
    std::uint64_t m_extra_nonce = 0;
    chain::BlockHash m_parent;  // of the block being searched
    std::optional<std::stop_source> m_cancel;
    std::jthread m_thread;
    std::atomic<double> m_hashes_per_second{0};
    std::atomic<unsigned> m_threads{0};
    std::atomic<std::uint64_t> m_blocks_found{0};
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

}  // namespace chainkit::apps
