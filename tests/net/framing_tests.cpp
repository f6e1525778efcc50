// The bulk data path: OpenSSL's ChaCha20-Poly1305 against RFC 8439 and
// libsodium, the ByteQueue, and Noise frames cut at yamux frame boundaries.
#include "byte_queue.hpp"
#include "chacha_poly.hpp"
#include "secure_channel.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <catch2/catch.hpp>
#include <sodium.h>

#include <chainkit/net/identity.hpp>
#include <numeric>
#include <string_view>

using namespace chainkit::net;
using namespace chainkit::net::detail;

namespace {
std::vector<std::uint8_t> unhex(std::string_view h) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return out;
}

std::vector<std::uint8_t> counting(std::size_t n, std::uint8_t from = 0) {
    std::vector<std::uint8_t> v(n);
    std::iota(v.begin(), v.end(), from);
    return v;
}
}  // namespace

TEST_CASE("ChaChaPoly matches the RFC 8439 section 2.8.2 AEAD vector", "[net][aead]") {
    ChaChaPoly::Key key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x80 + i);
    const ChaChaPoly::Nonce nonce{0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47};
    const auto ad = unhex("50515253c0c1c2c3c4c5c6c7");
    const std::string_view text =
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would "
        "be it.";
    const std::vector<std::uint8_t> plain(text.begin(), text.end());
    const auto expect = unhex(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
        "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
        "3ff4def08e4b7a9de576d26586cec64b6116"
        "1ae10b594f09e26a7e902ecbd0600691");
    ChaChaPoly aead(key);
    std::vector<std::uint8_t> sealed(plain.size() + ChaChaPoly::TAG_SIZE);
    aead.seal(nonce, ad, plain, sealed.data());
    CHECK(sealed == expect);
    std::vector<std::uint8_t> opened(plain.size());
    REQUIRE(aead.open(nonce, ad, sealed, opened.data()));
    CHECK(opened == plain);
    sealed.back() ^= 0x01;  // a flipped tag bit
    CHECK_FALSE(aead.open(nonce, ad, sealed, opened.data()));
    sealed.back() ^= 0x01;
    sealed[5] ^= 0x80;  // a flipped ciphertext bit
    CHECK_FALSE(aead.open(nonce, ad, sealed, opened.data()));
    CHECK_FALSE(aead.open(nonce, ad, std::span(sealed).first(ChaChaPoly::TAG_SIZE - 1), opened.data()));
}

TEST_CASE("ChaChaPoly agrees with libsodium for every size class, in place too", "[net][aead]") {
    REQUIRE(sodium_init() >= 0);
    ChaChaPoly::Key key{};
    randombytes_buf(key.data(), key.size());
    ChaChaPoly aead(key);
    for (const std::size_t size : {0u, 1u, 15u, 16u, 63u, 64u, 65u, 255u, 256u, 1000u, 4096u, 65519u, 70000u}) {
        for (const std::size_t ad_size : {0u, 13u, 32u}) {
            ChaChaPoly::Nonce nonce{};
            randombytes_buf(nonce.data(), nonce.size());
            const auto plain = counting(size, static_cast<std::uint8_t>(size));
            const auto ad = counting(ad_size, 7);
            std::vector<std::uint8_t> ours(size + 16), ref(size + 16);
            aead.seal(nonce, ad, plain, ours.data());
            unsigned long long len = 0;
            crypto_aead_chacha20poly1305_ietf_encrypt(ref.data(), &len, plain.data(), plain.size(), ad.data(),
                                                      ad.size(), nullptr, nonce.data(), key.data());
            INFO("size " << size << " ad " << ad_size);
            CHECK(ours == ref);
            // Decrypting in place (output over the input) gives the plaintext back.
            REQUIRE(aead.open(nonce, ad, ours, ours.data()));
            CHECK(std::equal(plain.begin(), plain.end(), ours.begin()));
        }
    }
}

TEST_CASE("ByteQueue keeps bytes in order through growth, slides and consumption", "[net][buffer]") {
    ByteQueue q;
    CHECK(q.empty());
    std::vector<std::uint8_t> model;
    std::uint8_t next = 0;
    for (int round = 0; round < 200; ++round) {
        const std::size_t add = static_cast<std::size_t>(round * 37 % 1500);
        auto space = q.prepare(add);
        REQUIRE(space.size() >= add);
        for (std::size_t i = 0; i < add; ++i) space[i] = next++;
        q.commit(add);
        for (std::size_t i = 0; i < add; ++i) model.push_back(static_cast<std::uint8_t>(next - add + i));
        const std::size_t take = std::min(model.size(), static_cast<std::size_t>(round * 53 % 1700));
        REQUIRE(q.size() == model.size());
        CHECK(std::equal(model.begin(), model.end(), q.bytes().begin()));
        q.consume(take);
        model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(take));
    }
    q.append(counting(10));
    q.consume(q.size() + 5);  // consuming more than is there empties it
    CHECK(q.empty());
    const auto before = q.capacity();
    CHECK(before > 0);
    q.release_if_empty(before);
    CHECK(q.capacity() == before);  // within the bound: kept
    q.release_if_empty(before - 1);
    CHECK(q.capacity() == 0);
    CHECK(q.prepare(0).data() != nullptr);  // an empty Noise frame decrypts into real memory
}

TEST_CASE("an empty transport frame (tag only) decrypts into a fresh ByteQueue", "[net][noise]") {
    Key32 key{};
    key[3] = 9;
    CipherState send, recv;
    send.set_key(key);
    recv.set_key(key);
    std::vector<std::uint8_t> frame;
    send.encrypt({}, {}, frame);
    REQUIRE(frame.size() == NOISE_TAG);
    ByteQueue plain;
    CHECK(recv.decrypt_to({}, frame, plain.prepare(0).data()));
    CHECK(recv.nonce() == 1);
}

namespace {
// Seals `data` with `ends` on one end of a loopback connection and returns the
// plaintext sizes of the Noise frames that arrive at the other.
std::vector<std::size_t> frame_sizes(std::span<const std::uint8_t> data, std::span<const std::size_t> ends) {
    asio::io_context io;
    asio::ip::tcp::acceptor acc(io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket a(io), b(io);
    a.connect(acc.local_endpoint());
    acc.accept(b);
    Key32 key{};
    key[0] = 1;
    CipherState send, recv;
    send.set_key(key);
    recv.set_key(key);
    SecureChannel ch(std::move(a), std::move(send), CipherState{}, Identity::from_seed(1).peer_id());
    ch.seal(data, ends);
    std::vector<std::size_t> sizes;
    std::vector<std::uint8_t> all;
    asio::co_spawn(io, ch.flush(), [](std::exception_ptr, Result<void> r) { REQUIRE(r); });
    io.run();
    ch.close();
    for (;;) {
        std::array<std::uint8_t, 2> len{};
        std::error_code ec;
        asio::read(b, asio::buffer(len), ec);
        if (ec) break;
        std::vector<std::uint8_t> frame(std::size_t{len[0]} << 8 | len[1]);
        asio::read(b, asio::buffer(frame));
        REQUIRE(recv.decrypt({}, frame, all));
        sizes.push_back(frame.size() - NOISE_TAG);
    }
    CHECK(std::equal(all.begin(), all.end(), data.begin(), data.end()));
    return sizes;
}
}  // namespace

TEST_CASE("seal cuts Noise frames only between units unless a unit is larger than a frame", "[net][noise]") {
    constexpr std::size_t MAX = NOISE_MAX_PLAINTEXT;
    const auto data = counting(3 * MAX);
    SECTION("small units are packed whole") {
        const std::vector<std::size_t> ends{12, 40000, 40012, 80000, 100000};
        // 80000 would overflow the open frame: it closes after 40012.
        CHECK(frame_sizes(std::span(data).first(100000), ends) == std::vector<std::size_t>{40012, 59988});
    }
    SECTION("a unit of exactly one frame fills one frame") {
        const std::vector<std::size_t> ends{12, 12 + MAX};
        CHECK(frame_sizes(std::span(data).first(12 + MAX), ends) == std::vector<std::size_t>{12, MAX});
    }
    SECTION("a unit larger than a frame is split, and the next unit starts where it ends") {
        const std::vector<std::size_t> ends{2 * MAX + 100, 2 * MAX + 200};
        CHECK(frame_sizes(std::span(data).first(2 * MAX + 200), ends) == std::vector<std::size_t>{MAX, MAX, 200});
    }
    SECTION("no unit boundaries: full frames") {
        CHECK(frame_sizes(std::span(data).first(MAX + 5), {}) == std::vector<std::size_t>{MAX, 5});
    }
}
