// The JSON-RPC server of a running node (startnode): the chain, mempool,
// transaction, mining and node methods (docs/rpc.md) wired to the real
// node, its mempool and its chain worker, served on 127.0.0.1:<NODE_ID +
// 10000> unless told otherwise, its endpoint written to <data dir>/
// rpc.endpoint for the other commands (node_link.hpp).
// start()/stop() from main's thread; the handlers run on the server's
// threads and reach the node through its executor.
#pragma once

#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/chain_worker.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/node/node.hpp"
#include "chainkit/rpc/registry.hpp"
#include "chainkit/rpc/server.hpp"

#include "config.hpp"
#include "node_miner.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace chainkit::apps {

inline constexpr std::uint16_t RPC_PORT_OFFSET = 10'000;

struct RpcOptions {
    bool enabled = true;
    std::string bind = "127.0.0.1";
    std::optional<std::uint16_t> port;  // default NODE_ID + RPC_PORT_OFFSET; 0: the OS picks
};

struct NodeParts {
    const Config& config;
    node::Node& node;
    net::Host& host;
    chain::ChainState& chain;  // used only on the worker
    chain::Mempool& mempool;   // used only on the worker
    chain::ChainWorker& worker;
    asio::any_io_executor network;
    NodeMiner* miner;  // null when this node does not mine
    // Asked by the `stop` method; must only signal (it runs on an HTTP thread).
    std::function<void()> request_stop;
};

class NodeRpc {
public:
    // Registers the methods; nothing listens yet.
    NodeRpc(const NodeParts& parts, RpcOptions options);
    ~NodeRpc();  // stop()s
    NodeRpc(const NodeRpc&) = delete;
    NodeRpc& operator=(const NodeRpc&) = delete;

    // Listens, writes the cookie and the endpoint file ("off" when disabled).
    // Returns the URL served, or nullopt when disabled. UserError when the
    // port cannot be bound (or NODE_ID + 10000 is no port).
    std::optional<std::string> start();
    // Removes the endpoint file, then stops the server (requests in flight
    // finish; they need the node's executor running). Idempotent.
    void stop();

private:
    std::filesystem::path m_data_dir;
    RpcOptions m_options;
    std::uint16_t m_node_port;  // NODE_ID
    rpc::MethodRegistry m_methods;
    std::function<std::string()> m_metrics;  // GET /metrics
    std::function<bool()> m_node_busy;       // ServerConfig::node_busy
    std::unique_ptr<rpc::RpcServer> m_server;
    bool m_wrote_endpoint = false;
};

}  // namespace chainkit::apps
