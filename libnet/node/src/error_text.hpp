// One way to read an error from either library's Result: the transport's
// (std::error_code) or chainkit's (Error with a message).
#pragma once

#include "chainkit/chain/result.hpp"

#include <string>
#include <system_error>

namespace chainkit::node::detail {

inline std::string error_text(const std::error_code& e) {
    return e.message();
}
inline std::string error_text(const Error& e) {
    return e.message.empty() ? e.code.message() : e.message;
}
inline std::error_code error_code_of(const std::error_code& e) {
    return e;
}
inline std::error_code error_code_of(const Error& e) {
    return e.code;
}

}  // namespace chainkit::node::detail
