// Test fixture for the chain methods: a regtest ChainState over a
// MemoryChainStore with a Mempool, run the way a node runs them (a chain
// thread and a network thread, each an io_context), served by a real
// RpcServer on loopback port 0 and called through an RpcClient. The mining
// methods submit their blocks straight to the chain state.
#pragma once

#include "chainkit/chain/mempool.hpp"
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/client.hpp"
#include "chainkit/rpc/cookie.hpp"
#include "chainkit/rpc/mining_methods.hpp"
#include "chainkit/rpc/server.hpp"

#include "support/regtest_chain.hpp"
#include "support/scratch_dir.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace chainkit::test {

class ChainRpcFixture {
public:
    explicit ChainRpcFixture(std::size_t blocks = 5, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                             chain::Network net = chain::Network::regtest)
        : tc(net) {
        tc.state.add_observer(&pool);
        for (std::size_t i = 0; i < blocks; ++i) tc.mine();
        auto access = std::make_shared<rpc::ChainAccess>(
            rpc::ChainAccess{tc.params,
                             tc.state,
                             pool,
                             [this](std::function<void()> job) { asio::post(m_chain_io, std::move(job)); },
                             m_net_io.get_executor(),
                             timeout,
                             [this](chain::Transaction tx) {
                                 // What Node::submit_transaction does, without the relay.
                                 return rpc::detail::on_chain(
                                     [this](std::function<void()> job) { asio::post(m_chain_io, std::move(job)); },
                                     [this, tx = std::move(tx)] { return pool.accept(tx).validation; });
                             },
                             [this](const chain::TxId&) { return peers_with_tx.load(); },
                             {}});  // no summary: the tests change the chain state directly, not through a node
        rpc::register_chain_methods(methods, access);
        rpc::register_mining_methods(
            methods, std::make_shared<rpc::MiningAccess>(rpc::MiningAccess{
                         access,
                         [this](chain::Block b) {
                             // What Node::submit_block does, without the relay.
                             return rpc::detail::on_chain(
                                 [this](std::function<void()> job) { asio::post(m_chain_io, std::move(job)); },
                                 [this, b = std::move(b)] { return tc.state.accept_block(b, tc.now()); });
                         },
                         [this] { return tc.now(); },
                         [this]() -> std::optional<rpc::MinerStatus> {
                             if (!miner_status) return std::nullopt;
                             return *miner_status;
                         }}));
        m_chain_thread = std::thread([this] { m_chain_io.run(); });
        m_net_thread = std::thread([this] { m_net_io.run(); });
        rpc::ServerConfig config;
        config.cookie_dir = m_dir.path();
        server = std::make_unique<rpc::RpcServer>(config, methods);
        if (auto r = server->start(); !r) throw std::runtime_error(r.error().message);
        client = std::make_unique<rpc::RpcClient>("127.0.0.1", server->port(),
                                                  rpc::read_cookie(server->cookie_path()).value());
    }
    ChainRpcFixture(const ChainRpcFixture&) = delete;
    ChainRpcFixture& operator=(const ChainRpcFixture&) = delete;
    ~ChainRpcFixture() {
        client.reset();  // a connection kept alive would hold stop() for keep_alive_timeout
        server->stop();
        m_chain_guard.reset();
        m_net_guard.reset();
        m_chain_thread.join();
        m_net_thread.join();
    }

    // f() on the chain thread (where the chain state and the pool live), waited for.
    template <class F>
    auto on_chain(F f) {
        std::packaged_task<std::invoke_result_t<F&>()> task(std::move(f));
        auto result = task.get_future();
        asio::post(m_chain_io, [&task] { task(); });
        return result.get();
    }
    // Mines a block with `txs` on the chain thread.
    chain::Block mine(std::vector<chain::Transaction> txs = {}) {
        return on_chain([this, txs = std::move(txs)]() mutable { return tc.mine(std::move(txs)); });
    }

    // The result of a call that must succeed.
    rpc::Json call(std::string_view method, const rpc::Json& params = rpc::Json::array()) {
        auto r = client->call(method, params);
        INFO(method << " " << params.dump() << " -> " << (r.ok() ? std::string("ok") : r.error().message));
        REQUIRE(r.ok());
        return r.value();
    }
    // The JSON-RPC error code of a call that must fail (0 if it succeeded).
    int error(std::string_view method, const rpc::Json& params = rpc::Json::array()) {
        auto r = client->call(method, params);
        if (r.ok()) return 0;
        last_error = r.error().message;
        REQUIRE(r.error().code.category() == rpc::rpc_category());
        return r.error().code.value();
    }

    TestChain tc;
    chain::Mempool pool{tc.params, tc.state.utxo(), tc.state.height()};
    rpc::MethodRegistry methods;
    std::unique_ptr<rpc::RpcServer> server;
    std::unique_ptr<rpc::RpcClient> client;
    std::string last_error;
    std::atomic<std::size_t> peers_with_tx{0};     // what gettransaction reports as "peers"
    std::optional<rpc::MinerStatus> miner_status;  // set before calls: getmininginfo's miner

private:
    ScratchDir m_dir{"rpc-chain"};
    asio::io_context m_chain_io;
    asio::io_context m_net_io;
    asio::executor_work_guard<asio::io_context::executor_type> m_chain_guard{m_chain_io.get_executor()};
    asio::executor_work_guard<asio::io_context::executor_type> m_net_guard{m_net_io.get_executor()};
    std::thread m_chain_thread;
    std::thread m_net_thread;
};

}  // namespace chainkit::test
