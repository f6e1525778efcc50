// The error vocabulary shared by every chainkit library (chain, store, wallet,
// transport, node): std::error_code with a category per library, and Result<T>
// (a value or an Error: a code and one human line). A Result built from a bare
// code or error-code enum carries the code's own message(). Not thread-safe
// beyond what T itself offers; a Result is a plain value.
#pragma once

#include <cassert>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace chainkit {

struct Error {
    std::error_code code;
    std::string message;  // one human line, no trailing period
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : m_v(std::move(error)) {}  // NOLINT: implicit by design
    // A non-zero code; the message is the code's message().
    Result(std::error_code code) : m_v(Error{code, code.message()}) { assert(code); }  // NOLINT: implicit
    template <class E>
    requires std::is_error_code_enum_v<E> Result(E e) : Result(std::error_code(e)) {}  // NOLINT: implicit by design

    [[nodiscard]] bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] T& value() & { return std::get<0>(m_v); }
    [[nodiscard]] const T& value() const& { return std::get<0>(m_v); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    // Precondition: !ok().
    [[nodiscard]] const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

// Result<void>: success or an error.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}  // NOLINT: implicit by design
    // A non-zero code; the message is the code's message().
    Result(std::error_code code) : Result(Error{code, code.message()}) { assert(code); }  // NOLINT: implicit
    template <class E>
    requires std::is_error_code_enum_v<E> Result(E e) : Result(std::error_code(e)) {}  // NOLINT: implicit by design

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    explicit operator bool() const noexcept { return m_ok; }
    // An empty Error (code == {}) when ok().
    [[nodiscard]] const Error& error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

}  // namespace chainkit
