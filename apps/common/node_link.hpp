// How a command reaches the node running on its data directory. A running
// node holds node.lock (node_lock.hpp) and writes <data dir>/rpc.endpoint
// (owner-only; "http://HOST:PORT", or "off" when started with --no-rpc)
// beside its RPC cookie, and removes both when it stops. Commands then go
// through the node's JSON-RPC and never open RocksDB under it.
// Single-threaded: used by main's thread only.
#pragma once

#include "chainkit/rpc/client.hpp"

#include "config.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace chainkit::apps {

inline constexpr std::string_view ENDPOINT_FILE_NAME = "rpc.endpoint";

// Written by startnode: atomically (temporary file + rename), mode 0600.
// `url` is "http://HOST:PORT" or "off". UserError if it cannot be written.
void write_endpoint(const std::filesystem::path& data_dir, const std::string& url);
void remove_endpoint(const std::filesystem::path& data_dir) noexcept;

// A connection to the node running on `cfg.data_dir` (it has answered one
// call), or null when no node runs there. UserError in one line when a node
// runs but its RPC is off or does not answer.
[[nodiscard]] std::unique_ptr<rpc::RpcClient> connect_running_node(const Config& cfg);

// The result of `method`; UserError "<method>: <the node's message>" otherwise.
rpc::Json call_node(rpc::RpcClient& client, std::string_view method, const rpc::Json& params = rpc::Json::array());

}  // namespace chainkit::apps
