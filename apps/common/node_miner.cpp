#include "node_miner.hpp"

#include "chainkit/chain/block_template.hpp"

#include "commands.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <spdlog/spdlog.h>

namespace chainkit::apps {

NodeMiner::NodeMiner(asio::io_context& io, node::Node& node, chain::ChainWorker& worker, chain::ChainState& chain,
                     chain::Mempool& mempool, chain::ConsensusParams params, chain::KeyHash payout, MinerPolicy policy)
    : m_io(io),
      m_node(node),
      m_worker(worker),
      m_chain(chain),
      m_mempool(mempool),
      m_params(std::move(params)),
      m_payout(payout),
      m_policy(policy) {
    // Abandon the search the moment another block becomes the tip.
    m_node.on_tip_changed([this, alive = std::weak_ptr<bool>(m_alive)](const chain::ChainTip& tip) {
        if (alive.expired() || !m_cancel || tip.hash == m_parent) return;
        spdlog::info("miner: new tip {} at height {}: abandoning the block on {}", tip.hash.hex(), tip.height,
                     m_parent.hex());
        m_cancel->request_stop();
    });
}

NodeMiner::~NodeMiner() {
    stop();
}

void NodeMiner::stop() {
    m_stopped = true;
    if (m_cancel) m_cancel->request_stop();
    if (m_thread.joinable()) m_thread.join();
    m_alive.reset();
}

void NodeMiner::tick() {
    if (m_busy || m_stopped) return;
    if (!m_node.sync_status().synced) return;  // mining on a stale tip wastes work
    m_busy = true;
    const auto extra = ++m_extra_nonce;
    std::weak_ptr<bool> alive = m_alive;
    m_worker.post([this, alive, extra] {
        // On the chain thread: read the pool and the tip together.
        std::optional<chain::BlockTemplate> t;
        std::uint64_t height = 0;
        const auto now = now_seconds();
        const auto ctx = m_chain.next_block_context(now);
        // Never stamp a block ahead of our clock: on regtest, where a block
        // takes microseconds, this holds continuous mining to a few blocks a
        // second instead of racing the timestamps past the drift limit.
        const bool on_time = ctx.time <= now;
        if (on_time && (m_policy.continuous || m_mempool.size() >= m_policy.min_txs)) {
            height = ctx.height;
            t = chain::make_block_template(m_mempool, ctx, chain::TemplateOptions{m_payout, 0, extra}, m_params);
        }
        asio::post(m_io, [this, alive, t = std::move(t), height]() mutable {
            if (alive.expired()) return;
            if (!t) {
                m_busy = false;
                return;
            }
            start_search(std::move(t->block), height, t->block.txs.size() - 1);
        });
    });
}

void NodeMiner::start_search(chain::Block block, std::uint64_t height, std::size_t txs) {
    if (m_thread.joinable()) m_thread.join();
    m_parent = block.header.prev;
    m_cancel.emplace();
    spdlog::info("miner: mining block {} with {} transaction(s)", height, txs);
    const auto opts = miner_options(m_policy.threads);
    m_thread = std::jthread([this, alive = std::weak_ptr<bool>(m_alive), block = std::move(block), height, opts,
                             stop = m_cancel->get_token()]() mutable {
        auto r = chain::mine_block(block, opts, stop);
        asio::post(m_io, [this, alive, block = std::move(block), height, r]() mutable {
            if (alive.expired()) return;
            found(std::move(block), height, r);
        });
    });
}

rpc::MinerStatus NodeMiner::status() const {
    return {m_hashes_per_second.load(), m_threads.load(), m_blocks_found.load()};
}

void NodeMiner::found(chain::Block block, std::uint64_t height, chain::MineResult result) {
    m_cancel.reset();
    // A search cut short by a new tip measured the hash rate just as well.
    if (result.seconds > 0) {
        m_hashes_per_second = result.nonces_per_second();
        m_threads = result.threads;
    }
    if (result.header) ++m_blocks_found;
    if (!result.header) {
        m_busy = false;
        return;
    }
    spdlog::info("miner: found block {} at height {}: {:.2f} M nonces/s, kernel {}, threads {}", block.hash().hex(),
                 height, result.nonces_per_second() / 1e6, chain::to_string(result.kernel), result.threads);
    asio::co_spawn(
        m_io,
        [this, alive = std::weak_ptr<bool>(m_alive), block = std::move(block)]() -> asio::awaitable<void> {
            auto r = co_await m_node.submit_block(block);
            if (alive.expired()) co_return;
            if (!r.ok()) spdlog::warn("miner: our block {} was refused: {}", block.hash().hex(), r.validation.message);
            m_busy = false;
        },
        asio::detached);
}

}  // namespace chainkit::apps
