#include <arpa/inet.h>
#include <array>
#include <chainkit/net/multiaddr.hpp>
#include <chainkit/net/varint.hpp>
#include <charconv>

namespace chainkit::net {
namespace {

// Multicodec protocol codes (multiformats/multiaddr protocols.csv).
constexpr std::uint64_t CODE_IP4 = 4, CODE_TCP = 6, CODE_IP6 = 41, CODE_DNS = 53, CODE_DNS4 = 54, CODE_DNS6 = 55;
constexpr std::size_t MAX_DNS_NAME = 253;

std::vector<std::string_view> split(std::string_view s) {
    std::vector<std::string_view> parts;
    while (!s.empty()) {
        auto pos = s.find('/');
        parts.push_back(s.substr(0, pos));
        if (pos == std::string_view::npos) break;
        s.remove_prefix(pos + 1);
    }
    return parts;
}

const char* kind_name(AddrKind k) {
    switch (k) {
        case AddrKind::ip4:
            return "ip4";
        case AddrKind::ip6:
            return "ip6";
        case AddrKind::dns4:
            return "dns4";
        case AddrKind::dns6:
            return "dns6";
        case AddrKind::dns:
            return "dns";
    }
    return "?";
}

std::optional<AddrKind> kind_from(std::string_view s) {
    for (auto k : {AddrKind::ip4, AddrKind::ip6, AddrKind::dns4, AddrKind::dns6, AddrKind::dns})
        if (s == kind_name(k)) return k;
    return std::nullopt;
}

// Returns the canonical host text, or an empty string with `why` set.
std::string check_host(AddrKind kind, std::string_view host, std::string& why) {
    const std::string h(host);
    if (kind == AddrKind::ip4 || kind == AddrKind::ip6) {
        const int af = kind == AddrKind::ip4 ? AF_INET : AF_INET6;
        std::array<unsigned char, 16> bin{};
        std::array<char, INET6_ADDRSTRLEN> text{};
        if (inet_pton(af, h.c_str(), bin.data()) != 1) {
            why = std::string("invalid ") + (af == AF_INET ? "IPv4" : "IPv6") + " address '" + h + "'";
            return {};
        }
        inet_ntop(af, bin.data(), text.data(), text.size());
        return text.data();
    }
    if (h.empty() || h.size() > MAX_DNS_NAME) {
        why = "invalid DNS name length " + std::to_string(h.size());
        return {};
    }
    for (char c : h) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_';
        if (!ok) {
            why = "invalid character in DNS name '" + h + "'";
            return {};
        }
    }
    return h;
}

}  // namespace

Result<Multiaddr> Multiaddr::parse(std::string_view text, std::string* why) {
    std::string reason;
    auto fail = [&](std::string r) -> Result<Multiaddr> {
        if (why) *why = std::string(text.substr(0, 200)) + ": " + r;
        return errc::invalid_multiaddr;
    };
    if (text.empty() || text.front() != '/') return fail("must start with '/'");
    auto parts = split(text.substr(1));
    if (parts.size() < 4) return fail("expected /<ip4|ip6|dns4|dns6|dns>/<host>/tcp/<port>");
    auto kind = kind_from(parts[0]);
    if (!kind) return fail("unsupported protocol '" + std::string(parts[0]) + "' (ip4, ip6, dns4, dns6, dns)");
    Multiaddr m;
    m.m_kind = *kind;
    m.m_host = check_host(*kind, parts[1], reason);
    if (m.m_host.empty()) return fail(reason);
    if (parts[2] != "tcp") return fail("expected 'tcp' after the host, got '" + std::string(parts[2]) + "'");
    unsigned port = 0;
    auto [end, ec] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), port);
    if (ec != std::errc{} || end != parts[3].data() + parts[3].size() || parts[3].empty() || port > 65535)
        return fail("invalid TCP port '" + std::string(parts[3]) + "'");
    m.m_port = static_cast<std::uint16_t>(port);
    if (parts.size() == 4) return m;
    if (parts.size() != 6 || (parts[4] != "p2p" && parts[4] != "ipfs"))
        return fail("only a trailing /p2p/<peer-id> may follow /tcp/<port>");
    auto peer = PeerId::parse(parts[5], &reason);
    if (!peer) return fail(reason);
    m.m_peer = *peer;
    return m;
}

Multiaddr Multiaddr::tcp(AddrKind kind, std::string host, std::uint16_t port, std::optional<PeerId> peer) {
    Multiaddr m;
    m.m_kind = kind;
    m.m_host = std::move(host);
    m.m_port = port;
    m.m_peer = std::move(peer);
    return m;
}

Multiaddr Multiaddr::with_peer(const PeerId& p) const {
    Multiaddr m = *this;
    m.m_peer = p;
    return m;
}

Multiaddr Multiaddr::without_peer() const {
    Multiaddr m = *this;
    m.m_peer.reset();
    return m;
}

std::string Multiaddr::to_string() const {
    std::string s = std::string("/") + kind_name(m_kind) + "/" + m_host + "/tcp/" + std::to_string(m_port);
    if (m_peer) s += "/p2p/" + m_peer->to_string();
    return s;
}

std::vector<std::uint8_t> Multiaddr::to_bytes() const {
    std::vector<std::uint8_t> out;
    std::array<unsigned char, 16> bin{};
    switch (m_kind) {
        case AddrKind::ip4:
            append_uvarint(out, CODE_IP4);
            inet_pton(AF_INET, m_host.c_str(), bin.data());
            out.insert(out.end(), bin.begin(), bin.begin() + 4);
            break;
        case AddrKind::ip6:
            append_uvarint(out, CODE_IP6);
            inet_pton(AF_INET6, m_host.c_str(), bin.data());
            out.insert(out.end(), bin.begin(), bin.end());
            break;
        case AddrKind::dns4:
        case AddrKind::dns6:
        case AddrKind::dns:
            append_uvarint(out, m_kind == AddrKind::dns ? CODE_DNS : m_kind == AddrKind::dns4 ? CODE_DNS4 : CODE_DNS6);
            append_uvarint(out, m_host.size());
            out.insert(out.end(), m_host.begin(), m_host.end());
            break;
    }
    append_uvarint(out, CODE_TCP);
    out.push_back(static_cast<std::uint8_t>(m_port >> 8));
    out.push_back(static_cast<std::uint8_t>(m_port & 0xff));
    return out;
}

}  // namespace chainkit::net
