// JSON-RPC error codes and the typed error a method handler throws.
//
// The -326xx codes are JSON-RPC 2.0's own; the application codes below them
// reuse Bitcoin Core's numbers (src/rpc/protocol.h) where the meaning is the
// same, so tools written for bitcoind read them the same way.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

namespace chainkit::rpc {

enum class RpcCode : int {
    // JSON-RPC 2.0
    parse_error = -32700,       // the body is not JSON
    invalid_request = -32600,   // JSON, but not a request object (or an empty batch)
    method_not_found = -32601,  // no method of that name
    invalid_params = -32602,    // wrong number, type or value of parameters
    internal_error = -32603,    // the method failed for a reason of ours (or timed out)
    // Application (Bitcoin Core's numbers)
    misc_error = -1,
    invalid_address_or_key = -5,  // unknown block or transaction, malformed address
    invalid_parameter = -8,       // a well-typed parameter out of range (e.g. a height)
    database_error = -20,         // the chain store failed
    deserialization_error = -22,  // hex that does not decode to a transaction or block
    client_node_not_connected = -29,
    verify_error = -25,             // a block refused by validation
    verify_rejected = -26,          // a transaction refused by the mempool
    verify_already_in_chain = -27,  // already in the mempool or confirmed
};

// RpcCode as std::error_code (value = the JSON-RPC code), for clients
// reporting a server's error through Result.
[[nodiscard]] const std::error_category& rpc_category() noexcept;
[[nodiscard]] std::error_code make_error_code(RpcCode c) noexcept;

// Thrown by a method handler; the dispatcher turns it into the response's
// error member. Anything else a handler throws becomes internal_error.
class RpcError : public std::runtime_error {
public:
    RpcError(RpcCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    [[nodiscard]] RpcCode code() const noexcept { return m_code; }

private:
    RpcCode m_code;
};

}  // namespace chainkit::rpc

template <>
struct std::is_error_code_enum<chainkit::rpc::RpcCode> : std::true_type {};
