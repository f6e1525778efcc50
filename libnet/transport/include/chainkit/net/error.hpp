#pragma once
// Error vocabulary of the transport: std::error_code in the chainkit::net
// category, and a small Result<T> (value or error) returned by every fallible
// call. Peer misbehaviour is always reported as a value, never thrown.

#include <cassert>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace chainkit::net {

enum class errc {
    invalid_multiaddr = 1,
    invalid_peer_id,
    invalid_key,
    key_file,
    protocol_not_supported,  // multistream-select answered "na" to everything
    negotiation_failed,      // malformed multistream-select exchange
    handshake_failed,        // Noise or payload verification failed
    handshake_timeout,
    peer_id_mismatch,  // dialed /p2p/<id> differs from the authenticated one
    decrypt_failed,
    frame_too_large,
    message_too_large,
    line_too_long,
    protocol_violation,  // malformed yamux/protobuf/varint input
    window_exceeded,     // peer sent past the yamux receive window
    too_many_streams,
    too_many_connections,
    end_of_stream,  // remote half-closed: no more data will come
    stream_reset,
    connection_closed,
    timeout,
    not_connected,
    host_stopped,
    io_error,
    stream_closed,  // write after close_write
};

const std::error_category& net_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

/// Value or error. Moved-from or default states do not exist: a Result is
/// built from either a T or a non-zero error code.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(std::error_code ec) : m_v(std::in_place_index<1>, ec) { assert(ec); }
    Result(errc e) : Result(make_error_code(e)) {}

    bool has_value() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    std::error_code error() const noexcept { return has_value() ? std::error_code{} : std::get<1>(m_v); }
    T& value() & {
        assert(has_value());
        return std::get<0>(m_v);
    }
    const T& value() const& {
        assert(has_value());
        return std::get<0>(m_v);
    }
    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(m_v));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, std::error_code> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(std::error_code ec) : m_ec(ec) {}
    Result(errc e) : m_ec(make_error_code(e)) {}
    bool has_value() const noexcept { return !m_ec; }
    explicit operator bool() const noexcept { return has_value(); }
    std::error_code error() const noexcept { return m_ec; }

private:
    std::error_code m_ec;
};

}  // namespace chainkit::net

template <>
struct std::is_error_code_enum<chainkit::net::errc> : std::true_type {};
