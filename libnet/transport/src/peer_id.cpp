#include "chainkit/chain/base58.hpp"

#include <algorithm>
#include <chainkit/net/peer_id.hpp>
#include <cstring>

namespace chainkit::net {
namespace {
constexpr std::uint8_t MH_IDENTITY = 0x00;
constexpr std::uint8_t MH_SHA256 = 0x12;
constexpr std::uint8_t KEY_PROTOBUF_PREFIX[] = {0x08, 0x01, 0x12, 0x20};  // Type=Ed25519, Data len 32
constexpr std::size_t KEY_PROTOBUF_SIZE = 36;
constexpr std::size_t MAX_MULTIHASH = 2 + 42;  // identity hashes are <= 42 bytes per the spec
}  // namespace

std::vector<std::uint8_t> encode_public_key(const Ed25519PublicKey& key) {
    // Sized up front: GCC 12 at -O3 misreports insert-after-construct (-Warray-bounds).
    std::vector<std::uint8_t> out(KEY_PROTOBUF_SIZE);
    std::memcpy(out.data(), KEY_PROTOBUF_PREFIX, sizeof KEY_PROTOBUF_PREFIX);
    std::memcpy(out.data() + sizeof KEY_PROTOBUF_PREFIX, key.data(), key.size());
    return out;
}

Result<Ed25519PublicKey> decode_public_key(std::span<const std::uint8_t> pb) {
    // Deterministic protobuf encoding is mandated by the peer-id spec, so the
    // only valid Ed25519 encoding is exactly the 36 bytes below.
    if (pb.size() != KEY_PROTOBUF_SIZE ||
        !std::equal(std::begin(KEY_PROTOBUF_PREFIX), std::end(KEY_PROTOBUF_PREFIX), pb.begin()))
        return errc::invalid_key;
    Ed25519PublicKey key{};
    std::copy(pb.begin() + 4, pb.end(), key.begin());
    return key;
}

PeerId PeerId::from_public_key(const Ed25519PublicKey& key) {
    std::vector<std::uint8_t> mh(2 + KEY_PROTOBUF_SIZE);
    mh[0] = MH_IDENTITY;
    mh[1] = static_cast<std::uint8_t>(KEY_PROTOBUF_SIZE);
    const auto pb = encode_public_key(key);
    std::memcpy(mh.data() + 2, pb.data(), pb.size());
    return PeerId(std::move(mh));
}

Result<PeerId> PeerId::from_bytes(std::span<const std::uint8_t> mh) {
    if (mh.size() < 2 || mh.size() > MAX_MULTIHASH) return errc::invalid_peer_id;
    if (mh[1] != mh.size() - 2) return errc::invalid_peer_id;
    if (mh[0] == MH_SHA256 && mh[1] == 32) return PeerId({mh.begin(), mh.end()});
    if (mh[0] == MH_IDENTITY && mh[1] <= 42) return PeerId({mh.begin(), mh.end()});
    return errc::invalid_peer_id;
}

Result<PeerId> PeerId::parse(std::string_view text, std::string* why) {
    auto fail = [&](const char* reason) -> Result<PeerId> {
        if (why) *why = std::string("peer id '") + std::string(text.substr(0, 80)) + "': " + reason;
        return errc::invalid_peer_id;
    };
    if (text.empty()) return fail("empty");
    // 64 bytes hold any identity or sha2-256 multihash of an Ed25519 key.
    auto raw = chain::base58_decode(text, 64);
    if (!raw) return fail("not base58btc (CIDv1 peer ids are not supported)");
    auto id = from_bytes(raw.value());
    if (!id) return fail("not an identity or sha2-256 multihash");
    return id;
}

// Written out: GCC 12 at -O3 misreports the defaulted vector comparison
// (-Wstringop-overread on memcmp).
std::strong_ordering operator<=>(const PeerId& a, const PeerId& b) noexcept {
    const std::size_t n = std::min(a.m_mh.size(), b.m_mh.size());
    const int c = n == 0 ? 0 : std::memcmp(a.m_mh.data(), b.m_mh.data(), n);
    if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    return a.m_mh.size() <=> b.m_mh.size();
}

std::string PeerId::to_string() const {
    return chain::base58_encode(m_mh);
}

std::optional<Ed25519PublicKey> PeerId::ed25519_key() const {
    if (m_mh.size() != 2 + KEY_PROTOBUF_SIZE || m_mh[0] != MH_IDENTITY) return std::nullopt;
    auto key = decode_public_key(std::span(m_mh).subspan(2));
    if (!key) return std::nullopt;
    return *key;
}

}  // namespace chainkit::net

std::size_t std::hash<chainkit::net::PeerId>::operator()(const chainkit::net::PeerId& p) const noexcept {
    // The tail of the multihash is key or hash material: uniformly distributed.
    std::size_t h = 0;
    const auto& b = p.bytes();
    for (std::size_t i = b.size() >= 8 ? b.size() - 8 : 0; i < b.size(); ++i) h = (h << 8) | b[i];
    return h;
}
