#include "noise_payload.hpp"

#include "protobuf.hpp"

#include <cstring>
#include <string_view>

namespace chainkit::net::detail {
namespace {
constexpr std::string_view SIG_PREFIX = "noise-libp2p-static-key:";

std::vector<std::uint8_t> signed_message(const Key32& static_pub) {
    // Sized up front: GCC 12 at -O3 misreports insert-after-construct here.
    std::vector<std::uint8_t> msg(SIG_PREFIX.size() + static_pub.size());
    std::memcpy(msg.data(), SIG_PREFIX.data(), SIG_PREFIX.size());
    std::memcpy(msg.data() + SIG_PREFIX.size(), static_pub.data(), static_pub.size());
    return msg;
}
}  // namespace

std::vector<std::uint8_t> make_noise_payload(const Identity& id, const Key32& static_pub) {
    const auto sig = id.sign(signed_message(static_pub));
    std::vector<std::uint8_t> out;
    pb_put_bytes(out, 1, encode_public_key(id.public_key()));
    pb_put_bytes(out, 2, sig);
    return out;
}

Result<PeerId> verify_noise_payload(std::span<const std::uint8_t> payload, const Key32& remote_static) {
    if (payload.size() > MAX_NOISE_PAYLOAD) return errc::handshake_failed;
    PbReader reader(payload);
    PbField f;
    std::span<const std::uint8_t> key_pb, sig;
    while (reader.next(f)) {
        if (f.wire != 2) continue;
        if (f.number == 1) key_pb = f.bytes;
        if (f.number == 2) sig = f.bytes;
    }
    if (reader.failed() || key_pb.empty() || sig.empty()) return errc::handshake_failed;
    auto key = decode_public_key(key_pb);  // only Ed25519 identities are accepted
    if (!key) return errc::handshake_failed;
    if (!Identity::verify(*key, signed_message(remote_static), sig)) return errc::handshake_failed;
    return PeerId::from_public_key(*key);
}

}  // namespace chainkit::net::detail
