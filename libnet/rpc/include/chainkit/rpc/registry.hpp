// The method registry: name -> handler. Filled before the server starts
// and read-only afterwards, so any number of HTTP threads may look methods
// up at once without a lock.
#pragma once

#include "chainkit/rpc/error.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::rpc {

using Json = nlohmann::json;

// Receives the request's params: an array (positional), an object (named),
// or an empty array when the request had none. Returns the result or throws
// RpcError. Runs on an HTTP worker thread, possibly on several at once:
// whatever a handler shares must be thread-safe (node and chain handlers
// reach their state through the executors, chain_access.hpp).
using Handler = std::function<Json(const Json& params)>;

// Like Handler, but returns its result already serialized as JSON text, so
// that a method answered from a cache (getblockchaininfo: once per chain
// summary) reuses the bytes instead of building and dumping a Json per call.
// The text must be one valid JSON value.
using SerializedHandler = std::function<std::shared_ptr<const std::string>(const Json& params)>;

// Exactly one of the two is set.
struct Method {
    Handler handler;
    SerializedHandler serialized;
};

class MethodRegistry {
public:
    // Both throw std::logic_error if `name` is already registered (a wiring bug).
    void add(std::string name, Handler handler);
    void add_serialized(std::string name, SerializedHandler handler);
    void add(std::string name, Method method);
    // Null if there is no such method.
    [[nodiscard]] const Method* find(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> names() const;

private:
    std::map<std::string, Method, std::less<>> m_methods;
};

}  // namespace chainkit::rpc
