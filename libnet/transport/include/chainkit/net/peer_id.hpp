#pragma once
// libp2p PeerId: a multihash of the protobuf-encoded public key. Ed25519 keys
// use the identity multihash (printed base58btc as "12D3KooW..."); sha2-256
// multihashes ("Qm...") are parsed and printed too. Immutable value type.

#include <array>
#include <chainkit/net/error.hpp>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::net {

using Ed25519PublicKey = std::array<std::uint8_t, 32>;

/// protobuf PublicKey{Type=Ed25519, Data=key}: 08 01 12 20 <32 bytes>.
std::vector<std::uint8_t> encode_public_key(const Ed25519PublicKey& key);
/// Inverse of encode_public_key; only Ed25519 keys are accepted.
Result<Ed25519PublicKey> decode_public_key(std::span<const std::uint8_t> protobuf);

class PeerId {
public:
    static PeerId from_public_key(const Ed25519PublicKey& key);
    /// Base58btc text; `why` receives a one-line reason on failure.
    static Result<PeerId> parse(std::string_view text, std::string* why = nullptr);
    /// Raw multihash bytes (identity or sha2-256).
    static Result<PeerId> from_bytes(std::span<const std::uint8_t> multihash);

    std::string to_string() const;
    const std::vector<std::uint8_t>& bytes() const noexcept { return m_mh; }
    /// The Ed25519 key embedded in an identity multihash, if any.
    std::optional<Ed25519PublicKey> ed25519_key() const;

    friend bool operator==(const PeerId&, const PeerId&) = default;
    friend std::strong_ordering operator<=>(const PeerId& a, const PeerId& b) noexcept;

private:
    explicit PeerId(std::vector<std::uint8_t> mh) : m_mh(std::move(mh)) {}
    std::vector<std::uint8_t> m_mh;
};

}  // namespace chainkit::net

template <>
struct std::hash<chainkit::net::PeerId> {
    std::size_t operator()(const chainkit::net::PeerId& p) const noexcept;
};
