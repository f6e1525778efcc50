#include "chainkit/rpc/params.hpp"

#include <string>

namespace chainkit::rpc {

Params::Params(const Json& params, std::initializer_list<std::string_view> names)
    : m_names(names.begin(), names.end()), m_values(names.size()) {
    if (params.is_array()) {
        if (params.size() > m_names.size())
            throw RpcError(RpcCode::invalid_params, "expected at most " + std::to_string(m_names.size()) +
                                                        " parameters, got " + std::to_string(params.size()));
        for (std::size_t i = 0; i < params.size(); ++i) m_values[i] = params[i];
    } else if (params.is_object()) {
        for (const auto& [key, value] : params.items()) {
            std::size_t i = 0;
            while (i < m_names.size() && m_names[i] != key) ++i;
            if (i == m_names.size())
                throw RpcError(RpcCode::invalid_params, "unknown parameter \"" + key.substr(0, 64) + "\"");
            m_values[i] = value;
        }
    } else {
        throw RpcError(RpcCode::invalid_params, "params must be an array or an object");
    }
}

void Params::fail(std::size_t i, std::string_view what) const {
    const std::string name = i < m_names.size() ? m_names[i] : "?";
    throw RpcError(RpcCode::invalid_params,
                   std::string(what) + " (parameter " + std::to_string(i + 1) + ": " + name + ")");
}

const Json* Params::get(std::size_t i) const {
    return i < m_values.size() && !m_values[i].is_null() ? &m_values[i] : nullptr;
}

const Json& Params::required(std::size_t i) const {
    const Json* v = get(i);
    if (v == nullptr) fail(i, "missing parameter");
    return *v;
}

std::string Params::string(std::size_t i) const {
    const Json& v = required(i);
    if (!v.is_string()) fail(i, "expected a string");
    return v.get<std::string>();
}

std::uint64_t Params::uint(std::size_t i) const {
    const Json& v = required(i);
    // Integral JSON numbers only: 1.5 and "1" are refused, as is -1.
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (!v.is_number_integer()) fail(i, "expected an integer");
    const auto signed_value = v.get<std::int64_t>();
    if (signed_value < 0) fail(i, "expected a non-negative integer");
    return static_cast<std::uint64_t>(signed_value);
}

std::optional<std::uint64_t> Params::optional_uint(std::size_t i) const {
    if (get(i) == nullptr) return std::nullopt;
    return uint(i);
}

bool Params::boolean(std::size_t i, bool fallback) const {
    const Json* v = get(i);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) fail(i, "expected true or false");
    return v->get<bool>();
}

}  // namespace chainkit::rpc
