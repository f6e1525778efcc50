// The nodes of node_bench: like tests/node/node_harness.hpp (a chain state
// over an in-memory store, a mempool, a libp2p host on 127.0.0.1 port 0 and
// a chain-protocol Node, the network side on one shared io_context), except
// that each node's chain state runs on its own thread, as in the apps, and
// a ChainObserver records when each height was connected (on that thread).
#pragma once

#include "chainkit/chain/mempool.hpp"
#include "chainkit/node/node.hpp"

#include "support/regtest_chain.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <atomic>
#include <chainkit/net/host.hpp>
#include <chainkit/net/identity.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <time.h>
#include <vector>

namespace chainkit::bench {

using Clock = std::chrono::steady_clock;

// CPU time of the calling thread.
inline std::int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// One thread running posted jobs in FIFO order (the bench's stand-in for
// chain::ChainWorker, which this branch does not have yet).
class JobThread {
public:
    JobThread() : m_thread([this] { run(); }) {}
    ~JobThread() { stop(); }
    JobThread(const JobThread&) = delete;
    JobThread& operator=(const JobThread&) = delete;

    void post(std::function<void()> job) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping) return;
            m_jobs.push_back(std::move(job));
        }
        m_cv.notify_one();
    }
    // Lets the running job finish, drops the queued ones, joins.
    void stop() {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_cv.notify_one();
        if (m_thread.joinable()) m_thread.join();
        m_jobs.clear();
    }

    // Seconds spent running jobs so far (any thread).
    [[nodiscard]] double busy_seconds() const { return static_cast<double>(m_busy_ns.load()) / 1e9; }
    // CPU seconds this thread spent in jobs (what the jobs cost, whatever the load).
    [[nodiscard]] double cpu_seconds() const { return static_cast<double>(m_cpu_ns.load()) / 1e9; }

private:
    void run() {
        while (true) {
            std::function<void()> job;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [&] { return m_stopping || !m_jobs.empty(); });
                if (m_stopping) return;
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            }
            const auto t0 = std::chrono::steady_clock::now();
            const auto c0 = thread_cpu_ns();
            job();
            m_cpu_ns.fetch_add(thread_cpu_ns() - c0, std::memory_order_relaxed);
            m_busy_ns.fetch_add((std::chrono::steady_clock::now() - t0).count(), std::memory_order_relaxed);
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    bool m_stopping = false;
    std::atomic<std::int64_t> m_busy_ns{0};
    std::atomic<std::int64_t> m_cpu_ns{0};
    std::thread m_thread;  // last: starts after the members it uses
};

// Height of the active chain and the time it was reached, readable from any thread.
struct TipWatch : chain::ChainObserver {
    std::atomic<std::uint64_t> height{0};
    std::atomic<std::int64_t> at_ns{0};  // steady_clock time of the last tip change
    void on_tip_changed(const chain::BlockHash&, std::uint64_t h) override {
        at_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
        height.store(h, std::memory_order_release);
    }
};

inline node::NodeConfig bench_config() {
    node::NodeConfig c;
    c.target_outbound = 0;  // peers are wired explicitly
    return c;
}

struct BenchNode {
    // `preload` is accepted on the node's chain thread before the Node
    // starts (sources of a download); wait for it with wait_loaded().
    BenchNode(asio::io_context& io, const chain::Block& genesis, std::uint64_t seed, std::int64_t now,
              std::span<const chain::Block> preload = {})
        : params(chain::params_for(chain::Network::regtest)),
          chain(params, store),
          mempool((init_chain(genesis), params), chain.utxo(), chain.height()),
          host(io.get_executor(), net::Identity::from_seed(seed)),
          m_io(io),
          m_now(now) {
        chain.add_observer(&mempool);
        chain.add_observer(&watch);
        worker.post([this, preload, done = m_loaded] {
            for (const auto& b : preload)
                if (!chain.accept_block(b, m_now).ok()) {
                    done->set_exception(std::make_exception_ptr(std::runtime_error("preload refused")));
                    return;
                }
            done->set_value();
        });
    }
    // The Node's pending handlers stay on the shared io_context and may
    // still run chain jobs: keep a BenchNode alive (shut down) until the
    // io_context is destroyed. After shutdown, jobs are dropped unrun.
    ~BenchNode() { shutdown(); }
    void shutdown() {
        if (node) node->stop();
        host.stop();
        worker.stop();
    }

    void wait_loaded() { m_loaded->get_future().get(); }

    // Starts listening and the Node (after wait_loaded()).
    void start() {
        if (auto r = host.listen(*net::Multiaddr::parse("/ip4/127.0.0.1/tcp/0")); !r.ok())
            throw std::runtime_error("listen failed");
        const auto now = m_now;
        node = std::make_unique<node::Node>(
            m_io.get_executor(), host,
            node::NodeDeps{params, chain, mempool, [this](std::function<void()> job) { worker.post(std::move(job)); },
                           [now] { return now; }, nullptr, nullptr, [](const std::string&) {}},
            bench_config());
        node->start();
    }

    net::Multiaddr addr() const { return host.listen_addresses().front(); }

    chain::ConsensusParams params;
    chain::MemoryChainStore store;
    chain::ChainState chain;
    chain::Mempool mempool;
    TipWatch watch;
    net::Host host;
    JobThread worker;
    std::unique_ptr<node::Node> node;

private:
    void init_chain(const chain::Block& genesis) {
        if (!chain.create(genesis).ok()) throw std::runtime_error("create failed");
    }
    asio::io_context& m_io;
    std::int64_t m_now;
    std::shared_ptr<std::promise<void>> m_loaded = std::make_shared<std::promise<void>>();
};

// Runs `io` until `pred` holds; false after `timeout`.
inline bool run_until(asio::io_context& io, const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() > deadline) return false;
        io.run_for(std::chrono::milliseconds(1));
        io.restart();
    }
    return true;
}

// Dials `to` from `from` (a session, not persistent); false if it fails.
inline bool connect(asio::io_context& io, BenchNode& from, const net::Multiaddr& to) {
    std::optional<bool> ok;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto r = co_await from.node->connect(to, false);
            ok = r.ok();
        },
        asio::detached);
    return run_until(
               io, [&] { return ok.has_value(); }, std::chrono::seconds(20)) &&
           *ok;
}

inline constexpr std::size_t PAYMENTS = 10;  // signed payments per block of build_payment_chain

// Block k: a fan-out of block k-1's coinbase into PAYMENTS outputs, and
// PAYMENTS payments each spending one output of block k-1's fan-out.
inline std::vector<chain::Block> build_payment_chain(const chain::ConsensusParams& p, const test::TestKey& key,
                                                     const chain::Block& genesis, std::size_t n) {
    std::vector<chain::Block> blocks;
    blocks.reserve(n);
    const chain::Block* prev = &genesis;
    std::optional<chain::Transaction> prev_fan;
    for (std::size_t k = 1; k <= n; ++k) {
        const auto& cb = prev->txs.at(0);
        chain::OwnedCoin coin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs.at(0), k - 1, true}};
        const auto part = cb.outputs[0].value / static_cast<chain::Amount>(PAYMENTS);
        std::vector<chain::TxOut> outs(PAYMENTS, chain::TxOut{part, key.key_hash});
        std::vector<chain::Transaction> txs{test::make_spend({coin}, key, outs)};
        if (prev_fan) {
            const auto id = prev_fan->txid();
            for (std::uint32_t i = 0; i < PAYMENTS; ++i) {
                chain::OwnedCoin c{chain::OutPoint{id, i}, chain::Coin{prev_fan->outputs[i], k - 1, false}};
                txs.push_back(test::make_spend({c}, key, {chain::TxOut{part, key.key_hash}}));
            }
        }
        prev_fan = txs.front();
        blocks.push_back(test::build_child(*prev, p, key.key_hash, std::move(txs)));
        prev = &blocks.back();
    }
    return blocks;
}

}  // namespace chainkit::bench
