// Peer ids and the keys inside them: base58btc text (user input, peer
// store), raw multihash bytes, and the protobuf public key a peer sends in
// its Noise payload. Round trips: text and bytes re-encode exactly, and a
// decoded key re-encodes to the same protobuf. The first input byte picks
// the decoder.
#include "fuzz_util.hpp"

#include <chainkit/net/identity.hpp>
#include <chainkit/net/peer_id.hpp>

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    const auto id = net::Identity::from_seed(3).peer_id();
    auto with = [](std::uint8_t mode, Bytes b) {
        b.insert(b.begin(), mode);
        return b;
    };
    const auto key = net::encode_public_key(net::Identity::from_seed(3).public_key());
    return {with(0, to_bytes(id.to_string())), with(0, to_bytes("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")),
            with(1, id.bytes()), with(2, key)};
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    if (size == 0) return 0;
    const auto mode = data[0] % 3;
    const auto rest = fuzz::as_span(data + 1, size - 1);
    if (mode == 0) {
        std::string why;
        const auto text = fuzz::as_text(data + 1, size - 1);
        auto id = net::PeerId::parse(text, &why);
        if (!id) {
            FUZZ_CHECK(!why.empty());
            return 0;
        }
        FUZZ_CHECK(id->to_string() == text);
        auto again = net::PeerId::from_bytes(id->bytes());
        FUZZ_CHECK(again && *again == *id);
    } else if (mode == 1) {
        auto id = net::PeerId::from_bytes(rest);
        if (!id) return 0;
        FUZZ_CHECK(fuzz::same_bytes(id->bytes(), rest));
        auto again = net::PeerId::parse(id->to_string());
        FUZZ_CHECK(again && *again == *id);
        if (auto key = id->ed25519_key()) FUZZ_CHECK(net::PeerId::from_public_key(*key) == *id);
    } else {
        auto key = net::decode_public_key(rest);
        if (!key) return 0;
        FUZZ_CHECK(fuzz::same_bytes(net::encode_public_key(*key), rest));
    }
    return 0;
}
