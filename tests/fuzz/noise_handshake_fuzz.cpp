// Noise XX handshake messages (noise.cpp, noise_payload.cpp). The first byte
// picks who the fuzz input plays:
//   0: raw message 1 then raw message 3 sent to a responder;
//   1: raw message 2 sent to an initiator;
//   2: an honest initiator whose message-3 payload is the fuzz input, so the
//      libp2p payload decoder (protobuf identity key and signature) runs on
//      hostile bytes behind valid encryption; then the split transport keys
//      must agree on both sides.
// Keys are fixed so every run is reproducible.
#include "fuzz_util.hpp"
#include "net_harness.hpp"
#include "noise_payload.hpp"

#include <chainkit/net/identity.hpp>

namespace chainkit::fuzz {
namespace {

using net::detail::HandshakeXX;

HandshakeXX initiator() {
    return HandshakeXX(true, fixed_x25519(1), fixed_x25519(2));
}
HandshakeXX responder() {
    return HandshakeXX(false, fixed_x25519(3), fixed_x25519(4));
}
const net::Identity& responder_id() {
    static const auto id = net::Identity::from_seed(4);
    return id;
}
const net::Identity& initiator_id() {
    static const auto id = net::Identity::from_seed(5);
    return id;
}

Bytes with_mode(std::uint8_t mode, Bytes b) {
    b.insert(b.begin(), mode);
    return b;
}

void honest_exchange(std::span<const std::uint8_t> payload3) {
    auto i = initiator();
    auto r = responder();
    auto m1 = i.write_message({});
    FUZZ_CHECK(m1 && r.read_message(*m1));
    const auto p2 = net::detail::make_noise_payload(responder_id(), fixed_x25519(3).pub);
    auto m2 = r.write_message(p2);
    FUZZ_CHECK(m2);
    auto got2 = i.read_message(*m2);
    FUZZ_CHECK(got2 && net::detail::verify_noise_payload(*got2, i.remote_static()));
    auto m3 = i.write_message(payload3);
    FUZZ_CHECK(m3);
    auto got3 = r.read_message(*m3);
    FUZZ_CHECK(got3 && same_bytes(*got3, payload3) && r.complete() && i.complete());
    if (auto peer = net::detail::verify_noise_payload(*got3, r.remote_static()))
        FUZZ_CHECK(peer->ed25519_key().has_value());
    auto [i_send, i_recv] = i.split();
    auto [r_send, r_recv] = r.split();
    Bytes sealed, opened;
    i_send.encrypt({}, payload3, sealed);
    FUZZ_CHECK(r_recv.decrypt({}, sealed, opened) && same_bytes(opened, payload3));
}

}  // namespace

std::vector<Bytes> fuzz_seeds() {
    auto i = initiator();
    auto r = responder();
    auto m1 = i.write_message({});
    (void)r.read_message(*m1);
    auto m2 = r.write_message(net::detail::make_noise_payload(responder_id(), fixed_x25519(3).pub));
    const auto p3 = net::detail::make_noise_payload(initiator_id(), fixed_x25519(1).pub);
    Bytes raw13 = *m1;  // message 1 is 32 bytes: the rest is message 3
    auto m3 = HandshakeXX(true, fixed_x25519(1), fixed_x25519(2)).write_message({});
    raw13.insert(raw13.end(), m3->begin(), m3->end());
    return {with_mode(0, raw13), with_mode(1, *m2), with_mode(2, p3), with_mode(2, {})};
}

}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    if (size == 0) return 0;
    const auto in = fuzz::as_span(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0: {  // responder: 32-byte message 1 (plus any plaintext payload up to a cut), then message 3
            auto r = fuzz::responder();
            const std::size_t cut = std::min<std::size_t>(in.size(), 32 + (in.empty() ? 0 : in[0] % 16));
            if (!r.read_message(in.first(cut))) return 0;
            const auto p2 = net::detail::make_noise_payload(fuzz::responder_id(), fuzz::fixed_x25519(3).pub);
            // A low-order ephemeral key is accepted in message 1 (no DH yet)
            // and refused at the responder's first DH, in this write.
            if (!r.write_message(p2)) return 0;
            if (auto p3 = r.read_message(in.subspan(cut)))
                (void)net::detail::verify_noise_payload(*p3, r.remote_static());
            break;
        }
        case 1: {  // initiator: message 2 from the peer
            auto i = fuzz::initiator();
            FUZZ_CHECK(i.write_message({}));
            if (auto p2 = i.read_message(in)) (void)net::detail::verify_noise_payload(*p2, i.remote_static());
            break;
        }
        default:
            fuzz::honest_exchange(in);
    }
    return 0;
}
