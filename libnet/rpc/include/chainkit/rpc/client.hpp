// A JSON-RPC client for the node's own tools (the apps' commands while a
// node runs on their data directory, tests): one keep-alive HTTP connection
// with the cookie's credentials.
//
// Thread-safety: none; one client per thread.
#pragma once

#include "chainkit/chain/result.hpp"
#include "chainkit/rpc/registry.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace chainkit::rpc {

class RpcClient {
public:
    // `credentials` is "user:password", e.g. read_cookie()'s value.
    RpcClient(std::string host, std::uint16_t port, std::string credentials,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~RpcClient();
    RpcClient(const RpcClient&) = delete;
    RpcClient& operator=(const RpcClient&) = delete;

    // The method's result. Errors: the server's JSON-RPC error as
    // make_error_code(RpcCode) with its message; std::errc::connection_refused
    // when nothing answers; std::errc::permission_denied on 401; other HTTP
    // failures as std::errc::protocol_error naming the status.
    [[nodiscard]] Result<Json> call(std::string_view method, const Json& params = Json::array());

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace chainkit::rpc
