// JSON-RPC 2.0 processing of one HTTP body, independent of HTTP: single
// requests, batches and notifications (https://www.jsonrpc.org/specification).
//
// Never throws and never trusts the body: nesting depth, batch length and
// the total size of a batch's answers are bounded; malformed input gets the
// standard error codes (error.hpp). Thread-safe if the registry's handlers are.
#pragma once

#include "chainkit/rpc/error.hpp"
#include "chainkit/rpc/registry.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chainkit::rpc {

struct JsonRpcLimits {
    std::size_t max_depth = 64;                  // nesting of arrays and objects in the body
    std::size_t max_batch = 1000;                // calls in one batch
    std::size_t max_response_bytes = 64u << 20;  // a batch's answers together; later calls get internal_error
};

// The answer to `body`, serialized; nullopt when there is nothing to answer
// (a notification, or a batch of notifications: HTTP 204).
[[nodiscard]] std::optional<std::string> handle_jsonrpc(const MethodRegistry& methods, std::string_view body,
                                                        const JsonRpcLimits& limits = {});

// An error response object {"jsonrpc":"2.0","error":{...},"id":id}.
[[nodiscard]] Json error_response(RpcCode code, std::string_view message, const Json& id = nullptr);

}  // namespace chainkit::rpc
