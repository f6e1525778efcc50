// The method registry: name -> handler. Filled before the server starts
// and read-only afterwards, so any number of HTTP threads may look methods
// up at once without a lock.
#pragma once

#include "chainkit/rpc/error.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
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

class MethodRegistry {
public:
    // Throws std::logic_error if `name` is already registered (a wiring bug).
    void add(std::string name, Handler handler);
    // Null if there is no such method.
    [[nodiscard]] const Handler* find(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> names() const;

private:
    std::map<std::string, Handler, std::less<>> m_methods;
};

}  // namespace chainkit::rpc
