// The nodes of scale_bench and load_bench: many full chain-protocol nodes in
// one process, each a chain state over an in-memory store, a mempool, a
// libp2p host on 127.0.0.1 (port 0) and a Node, as in tests/node/
// node_harness.hpp, except that
//  - each node's chain state and mempool run on their own chain::ChainWorker
//    thread (as in the apps), and
//  - the network side of the nodes is spread over a few io_context threads
//    (one per core by default), so the nodes use the machine's cores as
//    separate processes would. Nodes on different threads talk over TCP only.
// A Watch (a ChainObserver on the node's chain thread) timestamps every new
// tip and every transaction entering the pool with the steady clock.
//
// Thread-safety: the Cluster is driven from one thread (main); it reaches a
// node's network side only through on_net() and its chain side only through
// on_chain(), both of which run the call on the owning thread and wait.
#pragma once

#include "chainkit/chain/chain_worker.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/sig_cache.hpp"
#include "chainkit/node/node.hpp"

#include "support/regtest_chain.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <atomic>
#include <chainkit/net/host.hpp>
#include <chainkit/net/identity.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <future>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <time.h>
#include <vector>

namespace chainkit::bench {

using Clock = std::chrono::steady_clock;

inline std::int64_t now_ns() {
    return Clock::now().time_since_epoch().count();
}

// CPU time of the calling thread, nanoseconds.
inline std::int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Resident set size of this process in bytes (0 if /proc is unreadable).
inline std::uint64_t rss_bytes() {
    std::ifstream f("/proc/self/status");
    std::string key;
    while (f >> key) {
        if (key == "VmRSS:") {
            std::uint64_t kb = 0;
            f >> kb;
            return kb * 1024;
        }
        f.ignore(1 << 12, '\n');
    }
    return 0;
}

// Tip and pool arrivals of one node, written on its chain thread.
struct Watch : chain::ChainObserver {
    std::atomic<std::uint64_t> height{0};
    std::atomic<std::int64_t> tip_ns{0};
    std::atomic<std::uint64_t> txs{0};  // transactions that entered the pool
    std::atomic<std::int64_t> tx_ns{0};
    void on_tip_changed(const chain::BlockHash&, std::uint64_t h) override {
        tip_ns.store(now_ns(), std::memory_order_relaxed);
        height.store(h, std::memory_order_release);
    }
    void on_tx_accepted(const chain::Transaction&) override {
        tx_ns.store(now_ns(), std::memory_order_relaxed);
        txs.fetch_add(1, std::memory_order_release);
    }
};

struct ScaleNodeOptions {
    chain::MempoolOptions mempool{};
    node::NodeConfig node{};
    // The verified-signature cache, as startnode wires it (default 8 MiB);
    // ScaleNode::use_sig_cache switches it off and on between phases.
    chain::SigCacheOptions sig_cache{};
    bool use_sig_cache = true;
};

struct ScaleNode {
    ScaleNode(asio::io_context& io, const chain::ConsensusParams& p, const chain::Block& genesis, std::uint64_t seed,
              std::int64_t now, const ScaleNodeOptions& opt)
        : io(io),
          params(p),
          chain(params, store),
          mempool((init_chain(genesis), params), chain.utxo(), chain.height(), opt.mempool),
          sig_cache(opt.sig_cache),
          host(io.get_executor(), net::Identity::from_seed(seed), host_config()),
          m_now(now),
          m_config(opt.node) {
        use_sig_cache(opt.use_sig_cache);
        chain.add_observer(&mempool);
        chain.add_observer(&watch);
        mempool.add_observer(&watch);
    }
    ~ScaleNode() { shutdown(); }
    ScaleNode(const ScaleNode&) = delete;
    ScaleNode& operator=(const ScaleNode&) = delete;

    // Every node on 127.0.0.1: lift the per-address inbound cap (8), which
    // is meant for distinct remote hosts.
    static net::HostConfig host_config() {
        net::HostConfig c;
        c.max_connections_per_ip = 1024;
        c.max_inbound_connections = 1024;
        return c;
    }

    // Listens and starts the Node; call before the io_context runs, or on it.
    void start() {
        if (auto r = host.listen(*net::Multiaddr::parse("/ip4/127.0.0.1/tcp/0")); !r.ok())
            throw std::runtime_error("listen failed");
        const auto now = m_now;
        node = std::make_unique<node::Node>(
            io.get_executor(), host,
            node::NodeDeps{params, chain, mempool, [this](std::function<void()> job) { worker.post(std::move(job)); },
                           [now] { return now; }, nullptr, nullptr, [](const std::string&) {}},
            m_config);
        node->start();
    }
    // Called on the network thread.
    void shutdown() {
        if (node) node->stop();
        host.stop();
    }

    net::Multiaddr addr() const { return host.listen_addresses().front(); }

    // On the chain thread (or before the worker runs jobs): off, the pool
    // fills nothing and blocks verify every signature, as before issue 11's fix.
    void use_sig_cache(bool on) {
        chain.set_sig_cache(on ? &sig_cache : nullptr);
        mempool.set_sig_cache(on ? &sig_cache : nullptr);
    }

    asio::io_context& io;
    chain::ConsensusParams params;
    chain::MemoryChainStore store;
    chain::ChainState chain;
    chain::Mempool mempool;
    chain::SigCache sig_cache;  // declared before the worker: its jobs end before the cache goes
    Watch watch;
    net::Host host;
    chain::ChainWorker worker;
    std::unique_ptr<node::Node> node;

private:
    void init_chain(const chain::Block& genesis) {
        if (!chain.create(genesis).ok()) throw std::runtime_error("create failed");
    }
    std::int64_t m_now;
    node::NodeConfig m_config;
};

// Runs `f` on `io`'s thread and returns its result.
template <class F>
auto run_on(asio::io_context& io, F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    asio::post(io, [&task] { task(); });
    return fut.get();
}

// Runs `f` on `node`'s chain thread and returns its result.
template <class F>
auto run_on_chain(ScaleNode& node, F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    if (!node.worker.post([&task] { task(); })) throw std::runtime_error("chain worker stopped");
    return fut.get();
}

// Waits (polling every millisecond) until `pred` holds; false after `timeout`.
template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

class Cluster {
public:
    // `threads` io_context threads (at least 1); nodes go round-robin.
    explicit Cluster(std::size_t threads) {
        for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
            m_ios.push_back(std::make_unique<asio::io_context>());
            m_guards.emplace_back(asio::make_work_guard(*m_ios.back()));
        }
    }
    ~Cluster() { stop(); }

    // Adds a node; `preload` blocks are accepted on its chain thread first.
    ScaleNode& add(const chain::ConsensusParams& p, const chain::Block& genesis, std::uint64_t seed, std::int64_t now,
                   std::span<const chain::Block> preload, const ScaleNodeOptions& opt = {}) {
        auto& io = *m_ios[nodes.size() % m_ios.size()];
        nodes.push_back(std::make_unique<ScaleNode>(io, p, genesis, seed, now, opt));
        auto& n = *nodes.back();
        auto loaded = std::make_shared<std::promise<void>>();
        m_loaded.push_back(loaded->get_future());
        n.worker.post([&n, preload, now, loaded] {
            for (const auto& b : preload)
                if (!n.chain.accept_block(b, now).ok()) {
                    loaded->set_exception(std::make_exception_ptr(std::runtime_error("preload refused")));
                    return;
                }
            loaded->set_value();
        });
        return n;
    }

    // Waits for every preload, starts every node, runs the network threads.
    void start() {
        for (auto& f : m_loaded) f.get();
        for (auto& n : nodes) n->start();
        for (auto& io : m_ios) m_threads.emplace_back([io = io.get()] { io->run(); });
    }

    // Each node dials `degree` random others it has no link with yet (the
    // graph is undirected, so the mean degree is about twice `degree`).
    // Returns the links; throws if a dial fails or a handshake is missing.
    std::vector<std::pair<std::size_t, std::size_t>> wire_random(std::size_t degree, std::uint64_t seed) {
        const auto n = nodes.size();
        std::mt19937_64 rng(seed);
        std::set<std::pair<std::size_t, std::size_t>> links;
        std::vector<std::size_t> want(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t made = 0;
            for (std::size_t tries = 0; made < std::min(degree, n - 1) && tries < 100 * n; ++tries) {
                const std::size_t j = rng() % n;
                const auto key = std::minmax(i, j);
                if (j == i || links.contains({key.first, key.second})) continue;
                links.insert({key.first, key.second});
                ++made;
            }
        }
        std::vector<std::shared_ptr<std::atomic<int>>> results;
        for (const auto& [a, b] : links) {
            ++want[a];
            ++want[b];
            auto r = std::make_shared<std::atomic<int>>(0);
            results.push_back(r);
            auto& from = *nodes[a];
            asio::co_spawn(
                from.io,
                [&from, to = nodes[b]->addr(), r]() -> asio::awaitable<void> {
                    auto c = co_await from.node->connect(to, false);
                    r->store(c.ok() ? 1 : -1);
                },
                asio::detached);
        }
        if (!wait_for(
                [&] {
                    for (auto& r : results)
                        if (r->load() == 0) return false;
                    return true;
                },
                std::chrono::seconds(120)))
            throw std::runtime_error("dials did not finish");
        for (auto& r : results)
            if (r->load() < 0) throw std::runtime_error("a dial failed");
        const bool ready = wait_for(
            [&] {
                for (std::size_t i = 0; i < n; ++i)
                    if (handshakes(i) < want[i]) return false;
                return true;
            },
            std::chrono::seconds(120));
        if (!ready) throw std::runtime_error("handshakes did not finish");
        return {links.begin(), links.end()};
    }

    // Node `a` dials node `b` and both finish the handshake; throws if not.
    void link(std::size_t a, std::size_t b) {
        const auto before_a = handshakes(a), before_b = handshakes(b);
        auto r = std::make_shared<std::atomic<int>>(0);
        auto& from = *nodes[a];
        asio::co_spawn(
            from.io,
            [&from, to = nodes[b]->addr(), r]() -> asio::awaitable<void> {
                auto c = co_await from.node->connect(to, false);
                r->store(c.ok() ? 1 : -1);
            },
            asio::detached);
        if (!wait_for([&] { return r->load() != 0; }, std::chrono::seconds(30)) || r->load() < 0)
            throw std::runtime_error("a dial failed");
        if (!wait_for([&] { return handshakes(a) > before_a && handshakes(b) > before_b; }, std::chrono::seconds(30)))
            throw std::runtime_error("a handshake did not finish");
    }

    std::size_t handshakes(std::size_t i) {
        auto& nd = *nodes[i];
        return run_on(nd.io, [&nd] {
            std::size_t k = 0;
            for (const auto& p : nd.node->peers()) k += p.handshake_done ? 1 : 0;
            return k;
        });
    }

    // Bytes this node has sent to all its peers (chain-protocol messages).
    std::uint64_t bytes_sent(std::size_t i) {
        auto& nd = *nodes[i];
        return run_on(nd.io, [&nd] {
            std::uint64_t s = 0;
            for (const auto& p : nd.node->peers()) s += p.bytes_sent;
            return s;
        });
    }

    // This node's counters (read on its network thread).
    node::NodeCounters counters(std::size_t i) {
        auto& nd = *nodes[i];
        return run_on(nd.io, [&nd] { return nd.node->counters(); });
    }

    // Stops the nodes on their threads, then the threads, then the workers.
    void stop() {
        if (m_stopped) return;
        m_stopped = true;
        if (!m_threads.empty())
            for (auto& n : nodes) run_on(n->io, [&n] { n->shutdown(); });
        m_guards.clear();
        for (auto& io : m_ios) io->stop();
        for (auto& t : m_threads) t.join();
        for (auto& n : nodes) n->worker.stop();
        nodes.clear();
    }

    std::vector<std::unique_ptr<ScaleNode>> nodes;

private:
    std::vector<std::unique_ptr<asio::io_context>> m_ios;  // destroyed after stop() cleared the nodes
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> m_guards;
    std::vector<std::thread> m_threads;
    std::vector<std::future<void>> m_loaded;
    bool m_stopped = false;
};

}  // namespace chainkit::bench
