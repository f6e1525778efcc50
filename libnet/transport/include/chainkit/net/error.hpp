#pragma once
// Error codes of the transport: std::error_code in the chainkit::net category.
// Every fallible call returns chainkit::Result (see chainkit/chain/result.hpp).
// Peer misbehaviour is always reported as a value, never thrown.

#include <chainkit/chain/result.hpp>
#include <system_error>
#include <type_traits>

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

/// The transport returns the shared chainkit::Result: a value, or an Error
/// whose code is usually in net_category() (or an asio/system code).
using chainkit::Result;

}  // namespace chainkit::net

template <>
struct std::is_error_code_enum<chainkit::net::errc> : std::true_type {};
