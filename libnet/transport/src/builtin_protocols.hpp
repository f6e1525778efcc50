#pragma once
// Protocols every libp2p host serves: /ipfs/ping/1.0.0 (echo 32-byte
// payloads until the stream ends) and /ipfs/id/1.0.0 (identify: one
// length-prefixed protobuf, then close).

#include <asio/awaitable.hpp>

#include <chainkit/net/error.hpp>
#include <chainkit/net/identity.hpp>
#include <chainkit/net/multiaddr.hpp>
#include <chainkit/net/stream.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace chainkit::net::detail {

inline constexpr std::string_view PING_PROTOCOL = "/ipfs/ping/1.0.0";
inline constexpr std::string_view IDENTIFY_PROTOCOL = "/ipfs/id/1.0.0";
inline constexpr std::size_t PING_SIZE = 32;

asio::awaitable<void> serve_ping(std::shared_ptr<Stream> stream);
/// One round trip on an open ping stream; checks the echo.
asio::awaitable<Result<std::chrono::microseconds>> ping_once(Stream& stream);

struct IdentifyInfo {
    std::string agent_version;
    std::vector<Multiaddr> listen_addrs;
    std::optional<Multiaddr> observed;
    std::vector<std::string> protocols;
};
std::vector<std::uint8_t> encode_identify(const Identity& id, const IdentifyInfo& info);
asio::awaitable<void> serve_identify(std::shared_ptr<Stream> stream, std::vector<std::uint8_t> message);

}  // namespace chainkit::net::detail
