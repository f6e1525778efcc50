// The commands' paths through a node running on their data directory
// (node_link.hpp): each prints exactly what its database path prints, from
// the node's JSON-RPC answers. UserError on an error the node reports.
#pragma once

#include "chainkit/rpc/client.hpp"

#include "commands.hpp"
#include "node_context.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

namespace chainkit::apps {

// The node running on ctx's data directory, or null when none runs (or
// when this process holds the chain itself). UserError when one runs but
// cannot be reached.
[[nodiscard]] std::unique_ptr<rpc::RpcClient> running_node(const NodeContext& ctx);

// printchain's output for blocks read by `block_at` (nullopt: missing).
using BlockAt = std::function<std::optional<chain::Block>(std::uint64_t height)>;
void print_chain(const PrintChainArgs& args, std::uint64_t tip, const BlockAt& block_at,
                 const chain::ConsensusParams& params, std::ostream& out);

void getbalance_via_node(rpc::RpcClient& node, const std::string& address, std::ostream& out);
void printchain_via_node(rpc::RpcClient& node, const NodeContext& ctx, const PrintChainArgs& args, std::ostream& out);
void verify_via_node(rpc::RpcClient& node, std::ostream& out);
// generatetoaddress: the node mines the blocks on its tip and relays them.
void mine_via_node(rpc::RpcClient& node, const std::string& address, std::uint64_t blocks, std::ostream& out);

// The balance line getbalance prints.
void print_balance(const std::string& address, chain::Amount confirmed, chain::Amount unconfirmed, std::ostream& out);

}  // namespace chainkit::apps
