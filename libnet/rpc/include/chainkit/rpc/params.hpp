// Reads a method's parameters, given by position (an array) or by name (an
// object), with one precise invalid_params error per mistake: too many
// parameters, an unknown name, a missing one, a wrong type, a negative or
// fractional number where a count is expected. A null parameter counts as
// absent. Keeps copies of the parameters (never refers to its argument).
// Value type; thread-compatible.
#pragma once

#include "chainkit/rpc/registry.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::rpc {

class Params {
public:
    // `names` are the method's parameters in positional order.
    Params(const Json& params, std::initializer_list<std::string_view> names);

    // Null if parameter `i` is absent or null.
    [[nodiscard]] const Json* get(std::size_t i) const;
    // The parameter; throws invalid_params if it is absent.
    [[nodiscard]] const Json& required(std::size_t i) const;

    [[nodiscard]] std::string string(std::size_t i) const;
    [[nodiscard]] std::uint64_t uint(std::size_t i) const;
    [[nodiscard]] std::optional<std::uint64_t> optional_uint(std::size_t i) const;
    [[nodiscard]] bool boolean(std::size_t i, bool fallback) const;

    // Throws invalid_params naming parameter `i`: "<what> (parameter i: name)".
    [[noreturn]] void fail(std::size_t i, std::string_view what) const;

private:
    std::vector<std::string> m_names;
    std::vector<Json> m_values;  // copies, by position; null when absent
};

}  // namespace chainkit::rpc
