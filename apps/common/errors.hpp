// The one exception type of the apps: a user-facing failure whose message is
// printed as one line on stderr by run_app, with its exit code.
#pragma once

#include "chainkit/chain/result.hpp"

#include <stdexcept>
#include <string>

namespace chainkit::apps {

class UserError : public std::runtime_error {
public:
    explicit UserError(const std::string& message, int exit_code = 1)
        : std::runtime_error(message), m_exit_code(exit_code) {}
    [[nodiscard]] int exit_code() const noexcept { return m_exit_code; }

private:
    int m_exit_code;
};

// Unwraps a Result or throws its message as a UserError.
template <class T>
T value_or_throw(Result<T> r) {
    if (!r) throw UserError(r.error().message);
    return std::move(r).value();
}
inline void check_or_throw(const Result<void>& r) {
    if (!r) throw UserError(r.error().message);
}

}  // namespace chainkit::apps
