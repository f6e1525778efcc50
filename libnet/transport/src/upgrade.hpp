#pragma once
// Connection upgrade exactly as libp2p does it over TCP: multistream-select
// to /noise, the Noise XX handshake, multistream-select to /yamux/1.0.0.
// The dialer speaks first at each step (js-libp2p waits for it). No deadline
// here: the host runs these under its handshake deadline.

#include "secure_channel.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chainkit/net/error.hpp>
#include <chainkit/net/identity.hpp>
#include <memory>

namespace chainkit::net::detail {

inline constexpr std::string_view NOISE_PROTOCOL = "/noise";
inline constexpr std::string_view YAMUX_PROTOCOL = "/yamux/1.0.0";

asio::awaitable<Result<std::unique_ptr<SecureChannel>>> upgrade_connection(asio::ip::tcp::socket sock,
                                                                           const Identity& id, bool dialer);

}  // namespace chainkit::net::detail
