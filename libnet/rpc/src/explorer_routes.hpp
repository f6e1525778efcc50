// The routes beside JSON-RPC at POST /: the explorer page's files (GET /,
// /explorer.js, /style.css, /favicon.svg), the cookie-less read-only JSON-RPC endpoint
// (POST /api) and the Prometheus metrics (GET /metrics). docs/rpc.md
// describes each. Handlers run on the server's pool threads.
#pragma once

#include "chainkit/rpc/registry.hpp"
#include "chainkit/rpc/server.hpp"

#include <httplib.h>

namespace chainkit::rpc::detail {

// `config` and `read_only` must outlive `http`'s serving.
void add_explorer_routes(httplib::Server& http, const ServerConfig& config, const MethodRegistry& read_only);

}  // namespace chainkit::rpc::detail
