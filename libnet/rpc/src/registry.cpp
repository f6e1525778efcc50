#include "chainkit/rpc/registry.hpp"

#include <stdexcept>
#include <utility>

namespace chainkit::rpc {

void MethodRegistry::add(std::string name, Handler handler) {
    add(std::move(name), Method{.handler = std::move(handler), .serialized = {}});
}

void MethodRegistry::add_serialized(std::string name, SerializedHandler handler) {
    add(std::move(name), Method{.handler = {}, .serialized = std::move(handler)});
}

void MethodRegistry::add(std::string name, Method method) {
    if (m_methods.contains(name)) throw std::logic_error("rpc method registered twice: " + name);
    m_methods.emplace(std::move(name), std::move(method));
}

const Method* MethodRegistry::find(std::string_view name) const {
    const auto it = m_methods.find(name);
    return it == m_methods.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodRegistry::names() const {
    std::vector<std::string> out;
    out.reserve(m_methods.size());
    for (const auto& [name, handler] : m_methods) out.push_back(name);
    return out;
}

}  // namespace chainkit::rpc
