// GET /metrics in the Prometheus text exposition format (version 0.0.4):
// what the node, its chain and mempool and the process look like now.
// docs/rpc.md ("Metrics") lists every metric and its meaning.
#pragma once

#include "chainkit/node/node.hpp"
#include "chainkit/rpc/chain_access.hpp"
#include "chainkit/rpc/node_methods.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace chainkit::rpc {

// One consistent-enough reading (the node's part and the mempool's part are
// read one after the other).
struct MetricsSnapshot {
    node::NodeCounters counters;
    node::SyncStatus sync;
    std::vector<node::PeerInfo> peers;
    std::uint64_t mempool_txs = 0;
    std::uint64_t mempool_bytes = 0;
    std::uint64_t resident_bytes = 0;  // 0 when /proc/self/statm cannot be read
};

// The exposition text of `s`. Pure; thread-safe.
[[nodiscard]] std::string render_metrics(const MetricsSnapshot& s);

// The process's resident set size from /proc/self/statm; 0 if unreadable.
[[nodiscard]] std::uint64_t resident_set_bytes();

// A ServerConfig::metrics source: reads the node on its executor and the
// mempool on the chain thread (as the RPC methods do), each within the
// accesses' timeouts; throws RpcError when the node does not answer.
[[nodiscard]] std::function<std::string()> node_metrics(std::shared_ptr<const ChainAccess> chain,
                                                        std::shared_ptr<const NodeAccess> node);

}  // namespace chainkit::rpc
