#pragma once
// Multiaddr for TCP transports: /ip4/A/tcp/P, /ip6/A/tcp/P,
// /dns4|dns6|dns/NAME/tcp/P, each optionally followed by /p2p/<PeerId>
// (legacy /ipfs/<PeerId> is accepted and printed as /p2p/). Value type.

#include <chainkit/net/error.hpp>
#include <chainkit/net/peer_id.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::net {

enum class AddrKind { ip4, ip6, dns4, dns6, dns };

class Multiaddr {
public:
    /// `why` receives a precise one-line reason on failure, e.g.
    /// "/ip4/1.2.3/tcp/1: invalid IPv4 address '1.2.3'".
    static Result<Multiaddr> parse(std::string_view text, std::string* why = nullptr);
    static Multiaddr tcp(AddrKind kind, std::string host, std::uint16_t port,
                         std::optional<PeerId> peer = std::nullopt);

    AddrKind kind() const noexcept { return m_kind; }
    const std::string& host() const noexcept { return m_host; }  // canonical text
    std::uint16_t port() const noexcept { return m_port; }
    const std::optional<PeerId>& peer() const noexcept { return m_peer; }
    Multiaddr with_peer(const PeerId& p) const;
    Multiaddr without_peer() const;

    std::string to_string() const;
    /// Binary multiaddr (as carried in identify), without the /p2p part.
    std::vector<std::uint8_t> to_bytes() const;

    friend bool operator==(const Multiaddr&, const Multiaddr&) = default;

private:
    AddrKind m_kind = AddrKind::ip4;
    std::string m_host;
    std::uint16_t m_port = 0;
    std::optional<PeerId> m_peer;
};

}  // namespace chainkit::net
