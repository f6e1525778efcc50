// In-process multi-node fixture: each TestNode is a chain state over an
// in-memory store, a mempool, a libp2p host on 127.0.0.1 port 0 and a
// chain-protocol Node, all on one io_context the test drives. The chain
// "thread" of each node is a job queue posted to the same io_context, so
// chain work is still asynchronous to the network code (as in the apps,
// where it is a real worker thread). BasicTestNode<Store> takes another
// ChainStore (e.g. FailingChainStore); TestNode is the in-memory one.
#pragma once

#include "chainkit/chain/mempool.hpp"
#include "chainkit/node/node.hpp"

#include "support/regtest_chain.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <chainkit/net/host.hpp>
#include <chainkit/net/identity.hpp>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::test {

inline chain::ConsensusParams node_test_params() {
    return chain::params_for(chain::Network::regtest);
}

template <class Store>
struct BasicTestNode {
    BasicTestNode(asio::io_context& io, const chain::Block& genesis, std::uint64_t seed,
                  node::NodeConfig cfg = fast_config())
        : params(node_test_params()),
          chain(params, store),
          mempool((init_chain(genesis), params), chain.utxo(), chain.height()),
          host(io.get_executor(), net::Identity::from_seed(seed)),
          node(io.get_executor(), host,
               node::NodeDeps{params, chain, mempool,
                              // A job still queued when this node is destroyed mid-test
                              // (the io_context lives on) must not touch its chain.
                              [&io, alive = std::weak_ptr<bool>(m_alive)](std::function<void()> job) {
                                  asio::post(io, [alive, job = std::move(job)] {
                                      if (!alive.expired()) job();
                                  });
                              },
                              [] { return GENESIS_TIME + 1'000'000; }, nullptr, nullptr,
                              [this](const std::string& line) { log_lines.push_back(line); }},
               std::move(cfg)) {
        chain.add_observer(&mempool);
        if (auto r = host.listen(*net::Multiaddr::parse("/ip4/127.0.0.1/tcp/0")); !r.ok())
            throw std::runtime_error("listen failed");
        node.start();
    }
    ~BasicTestNode() {
        node.stop();
        host.stop();
        m_alive.reset();
    }

private:
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);  // first member: the chain runner captures it

public:
    static node::NodeConfig fast_config() {
        node::NodeConfig c;
        c.tick = std::chrono::milliseconds(50);
        c.target_outbound = 0;  // tests wire peers explicitly unless they test discovery
        return c;
    }

    net::Multiaddr addr() const { return host.listen_addresses().front(); }
    // A log line containing every one of `parts`.
    bool logged(std::initializer_list<std::string_view> parts) const {
        for (const auto& l : log_lines) {
            bool all = true;
            for (auto p : parts) all = all && l.find(p) != std::string::npos;
            if (all) return true;
        }
        return false;
    }
    std::uint64_t height() const { return chain.height(); }

    // Mines `n` blocks on this node's tip (through the node: they are relayed).
    void mine(asio::io_context& io, std::size_t n, std::vector<chain::Transaction> txs = {}) {
        for (std::size_t i = 0; i < n; ++i) {
            auto b = build_on(chain, params, chain.tip().hash, miner.key_hash,
                              i == 0 ? txs : std::vector<chain::Transaction>{}, 0, seed_extra++);
            bool done = false;
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    auto r = co_await node.submit_block(b);
                    if (!r.ok()) throw std::runtime_error("mine refused: " + r.validation.message);
                    done = true;
                },
                asio::detached);
            while (!done) io.run_one();
        }
    }

    chain::ConsensusParams params;
    Store store;
    chain::ChainState chain;
    chain::Mempool mempool;
    net::Host host;
    std::vector<std::string> log_lines;  // the node's log (NodeDeps::log), for tests that check why
    node::Node node;
    TestKey miner = TestKey::from_seed(77);
    std::uint64_t seed_extra = 1;

private:
    void init_chain(const chain::Block& genesis) {
        if (!chain.create(genesis).ok()) throw std::runtime_error("create failed");
    }
};

using TestNode = BasicTestNode<chain::MemoryChainStore>;

// The genesis every test node shares: it pays TestKey::from_seed(1).
inline chain::Block shared_genesis() {
    return make_genesis(node_test_params(), TestKey::from_seed(1).key_hash);
}

// `n` has a session with the peer whose id is `id` (handshake done when `ready`).
template <class Store>
bool has_peer(const BasicTestNode<Store>& n, const std::string& id, bool ready = false) {
    for (const auto& p : n.node.peers())
        if (p.peer_id == id && (!ready || p.handshake_done)) return true;
    return false;
}

// Runs `io` until `pred` holds; false after `timeout`.
inline bool run_until(asio::io_context& io, const std::function<bool()>& pred,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_for(std::chrono::milliseconds(5));
        io.restart();
    }
    return true;
}

// Connects `from` to `to` and waits for the handshake on both sides.
template <class A, class B>
bool connect(asio::io_context& io, BasicTestNode<A>& from, BasicTestNode<B>& to) {
    std::optional<bool> ok;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto r = co_await from.node.connect(to.addr(), false);
            ok = r.ok();
        },
        asio::detached);
    if (!run_until(io, [&] { return ok.has_value(); }) || !*ok) return false;
    const auto to_id = to.host.peer_id().to_string();
    const auto from_id = from.host.peer_id().to_string();
    return run_until(io, [&] { return has_peer(from, to_id, true) && has_peer(to, from_id, true); });
}

}  // namespace chainkit::test
