// Noise primitives (known answers) and the XX handshake against its own responder.
#include "noise.hpp"
#include "noise_payload.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <chainkit/net/identity.hpp>

using namespace chainkit::net;
using namespace chainkit::net::detail;

namespace {
std::vector<std::uint8_t> unhex(std::string_view h) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return out;
}
}  // namespace

TEST_CASE("Noise HKDF matches RFC 5869 test case 3", "[net][noise]") {
    // Noise's HKDF is RFC 5869 with salt = chaining key and empty info; an
    // empty salt equals HashLen zero bytes, so test case 3 applies directly.
    const std::vector<std::uint8_t> ikm(22, 0x0b);
    auto [a, b] = noise_hkdf({}, ikm);
    std::vector<std::uint8_t> okm(a.begin(), a.end());
    okm.insert(okm.end(), b.begin(), b.begin() + 10);
    CHECK(okm == unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
}

TEST_CASE("CipherState nonce is 4 zero bytes then a little-endian counter", "[net][noise]") {
    REQUIRE(sodium_init() >= 0);
    Key32 key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
    CipherState cs;
    cs.set_key(key);
    cs.set_nonce(0x0102030405060708ull);
    const std::vector<std::uint8_t> plain{'h', 'i'}, ad{'a'};
    std::vector<std::uint8_t> ours;
    cs.encrypt(ad, plain, ours);
    CHECK(cs.nonce() == 0x0102030405060709ull);
    const std::uint8_t nonce[12] = {0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1};
    std::vector<std::uint8_t> ref(plain.size() + 16);
    unsigned long long len = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(ref.data(), &len, plain.data(), plain.size(), ad.data(), ad.size(),
                                              nullptr, nonce, key.data());
    CHECK(ours == ref);
    CipherState rx;
    rx.set_key(key);
    rx.set_nonce(0x0102030405060708ull);
    std::vector<std::uint8_t> back;
    REQUIRE(rx.decrypt(ad, ours, back));
    CHECK(back == plain);
    ours[0] ^= 1;  // a replayed or tampered frame fails and does not advance the nonce
    CHECK_FALSE(rx.decrypt(ad, ours, back));
    CHECK(rx.nonce() == 0x0102030405060709ull);
}

TEST_CASE("XX handshake against our own responder", "[net][noise]") {
    const auto alice = Identity::from_seed(10), bob = Identity::from_seed(11);
    const auto as = X25519KeyPair::generate(), bs = X25519KeyPair::generate();
    HandshakeXX init(true, as), resp(false, bs);
    auto m1 = init.write_message({});
    REQUIRE(m1);
    CHECK(m1->size() == 32);
    REQUIRE(resp.read_message(*m1));
    auto m2 = resp.write_message(make_noise_payload(bob, bs.pub));
    REQUIRE(m2);
    auto p2 = init.read_message(*m2);
    REQUIRE(p2);
    auto bob_id = verify_noise_payload(*p2, init.remote_static());
    REQUIRE(bob_id);
    CHECK(*bob_id == bob.peer_id());
    auto m3 = init.write_message(make_noise_payload(alice, as.pub));
    REQUIRE(m3);
    auto p3 = resp.read_message(*m3);
    REQUIRE(p3);
    CHECK(*verify_noise_payload(*p3, resp.remote_static()) == alice.peer_id());
    REQUIRE(init.complete());
    REQUIRE(resp.complete());
    CHECK(init.handshake_hash() == resp.handshake_hash());
    auto [i_send, i_recv] = init.split();
    auto [r_send, r_recv] = resp.split();
    std::vector<std::uint8_t> c, p;
    i_send.encrypt({}, std::vector<std::uint8_t>{1, 2, 3}, c);
    REQUIRE(r_recv.decrypt({}, c, p));
    CHECK(p == std::vector<std::uint8_t>{1, 2, 3});
    c.clear();
    p.clear();
    r_send.encrypt({}, std::vector<std::uint8_t>{4}, c);
    REQUIRE(i_recv.decrypt({}, c, p));
    CHECK(p == std::vector<std::uint8_t>{4});
}

TEST_CASE("XX handshake refuses tampering and foreign signatures", "[net][noise]") {
    const auto bob = Identity::from_seed(11), mallory = Identity::from_seed(12);
    const auto as = X25519KeyPair::generate(), bs = X25519KeyPair::generate();
    HandshakeXX init(true, as), resp(false, bs);
    REQUIRE(resp.read_message(*init.write_message({})));
    auto m2 = *resp.write_message(make_noise_payload(bob, bs.pub));
    SECTION("a flipped ciphertext bit fails decryption") {
        m2[40] ^= 0x01;
        auto r = init.read_message(m2);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == make_error_code(errc::handshake_failed));
    }
    SECTION("a payload signed over another static key is refused") {
        auto p = *init.read_message(m2);
        const auto other = X25519KeyPair::generate();
        CHECK_FALSE(verify_noise_payload(make_noise_payload(mallory, other.pub), init.remote_static()));
        CHECK(verify_noise_payload(p, init.remote_static()));
    }
    SECTION("a truncated message is refused") {
        m2.resize(40);
        CHECK_FALSE(init.read_message(m2));
    }
}
