#pragma once
// libp2p's Noise handshake payload (specs/noise): protobuf
// NoiseHandshakePayload{identity_key=1, identity_sig=2, extensions=4}, the
// signature being Ed25519 over "noise-libp2p-static-key:" || static X25519 key.

#include "noise.hpp"

#include <chainkit/net/error.hpp>
#include <chainkit/net/identity.hpp>
#include <chainkit/net/peer_id.hpp>
#include <span>

namespace chainkit::net::detail {

inline constexpr std::size_t MAX_NOISE_PAYLOAD = 8192;

/// Our payload. No extensions are sent, so the muxer is always negotiated
/// by multistream-select afterwards (the peer's extensions are ignored).
std::vector<std::uint8_t> make_noise_payload(const Identity& id, const Key32& static_pub);
/// Checks the peer's payload against its static key; returns its PeerId.
Result<PeerId> verify_noise_payload(std::span<const std::uint8_t> payload, const Key32& remote_static);

}  // namespace chainkit::net::detail
