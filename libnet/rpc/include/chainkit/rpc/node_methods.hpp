// The methods that read or steer the node (docs/rpc.md): getpeerinfo,
// getnetworkinfo, setban, listbanned, addnode, submitblock, stop. Every
// node call runs on the node's network executor (call_on), as Node requires.
#pragma once

#include "chainkit/chain/validation.hpp"
#include "chainkit/node/node.hpp"
#include "chainkit/rpc/chain_access.hpp"
#include "chainkit/rpc/registry.hpp"

#include <chainkit/net/host.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace chainkit::rpc {

struct NodeAccess {
    node::Node& node;  // used only on `network`
    net::Host& host;   // used only on `network`
    asio::any_io_executor network;
    std::chrono::milliseconds timeout{30'000};
    std::function<std::int64_t()> now;  // Unix seconds, for ban expiry
    // Asked to stop the process by the `stop` method. Runs on an HTTP
    // thread and must not wait for the RPC server to stop (it would wait for
    // itself): signal the main loop instead.
    std::function<void()> stop;
};

void register_node_methods(MethodRegistry& methods, std::shared_ptr<const NodeAccess> access);

// ChainAccess::submit_transaction through the node: validated into its
// mempool, then relayed. `node` must outlive the server.
[[nodiscard]] std::function<asio::awaitable<chain::ValidationResult>(chain::Transaction)> submit_through(
    node::Node& node);

// ChainAccess::summary from the node (Node::chain_summary(), thread-safe).
// `node` must outlive the server.
[[nodiscard]] SummarySource summary_from(const node::Node& node);

// ServerConfig::node_busy for a node: true while it knows headers whose
// blocks it has not connected yet (downloading, or validating a new block),
// read from Node::chain_summary() (a mutex, no wait). `node` must outlive the server.
[[nodiscard]] std::function<bool()> busy_while_downloading(const node::Node& node);

}  // namespace chainkit::rpc
