// Every SHA-256 path (portable and SHA-NI compression, the incremental
// hasher fed in random pieces) against libsodium's reference implementation.
#include "chainkit/chain/sha256.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <random>
#include <string>
#include <vector>

using namespace chainkit::chain;

namespace {

Hash256 sodium_sha256(ByteSpan data) {
    Hash256 out;
    crypto_hash_sha256(out.bytes().data(), data.data(), data.size());
    return out;
}

std::vector<Sha256Impl> available_impls() {
    std::vector<Sha256Impl> impls{Sha256Impl::portable};
    if (sha256_shani_available()) impls.push_back(Sha256Impl::shani);
    return impls;
}

// Whole-message SHA-256 built from one compression implementation and
// hand-made padding, so each kernel is checked without the Sha256 class.
Hash256 sha256_with(Sha256Impl impl, ByteSpan data) {
    Bytes msg(data.begin(), data.end());
    msg.push_back(0x80);
    while (msg.size() % 64 != 56) msg.push_back(0);
    const std::uint64_t bits = std::uint64_t{data.size()} * 8;
    for (int i = 7; i >= 0; --i) msg.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
    Sha256State state = SHA256_INITIAL_STATE;
    sha256_compress(impl, state, msg.data(), msg.size() / 64);
    Hash256 out;
    sha256_state_to_digest(state, out.bytes().data());
    return out;
}

Bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
    Bytes b(n);
    for (auto& c : b) c = static_cast<std::uint8_t>(rng());
    return b;
}

ByteSpan as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("sha256: NIST FIPS 180-2 vectors", "[sha256]") {
    const std::string abc = "abc";
    const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";  // 448 bits
    const std::string million_a(1'000'000, 'a');
    const auto abc_hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const auto two_hex = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    const auto million_hex = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

    CHECK(sha256(as_bytes(abc)).hex() == abc_hex);
    CHECK(sha256(as_bytes(two_blocks)).hex() == two_hex);
    CHECK(sha256(as_bytes(million_a)).hex() == million_hex);
    CHECK(sha256({}).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (const auto impl : available_impls()) {
        INFO(to_string(impl));
        CHECK(sha256_with(impl, as_bytes(abc)).hex() == abc_hex);
        CHECK(sha256_with(impl, as_bytes(two_blocks)).hex() == two_hex);
        CHECK(sha256_with(impl, as_bytes(million_a)).hex() == million_hex);
    }
}

TEST_CASE("sha256: every kernel equals libsodium for every length 0..300", "[sha256]") {
    REQUIRE(sodium_init() >= 0);
    std::mt19937_64 rng(0x5eed'0001);
    const auto impls = available_impls();
    for (std::size_t len = 0; len <= 300; ++len) {
        const Bytes data = random_bytes(rng, len);
        const Hash256 expected = sodium_sha256(data);
        INFO("length " << len);
        CHECK(sha256(data) == expected);
        for (const auto impl : impls) {
            INFO(to_string(impl));
            CHECK(sha256_with(impl, data) == expected);
        }
    }
}

TEST_CASE("sha256: incremental writes at random split points equal libsodium", "[sha256]") {
    REQUIRE(sodium_init() >= 0);
    std::mt19937_64 rng(0x5eed'0002);
    for (std::size_t len = 0; len <= 300; ++len) {
        const Bytes data = random_bytes(rng, len);
        // Three random pieces (any may be empty) exercise the partial buffer
        // filling, whole-block runs and the tail.
        std::size_t a = len == 0 ? 0 : rng() % (len + 1);
        std::size_t b = len == 0 ? 0 : rng() % (len + 1);
        if (a > b) std::swap(a, b);
        Sha256 h;
        h.write(ByteSpan(data).subspan(0, a));
        h.write(ByteSpan(data).subspan(a, b - a));
        h.write(ByteSpan(data).subspan(b));
        INFO("length " << len << " split " << a << "," << b);
        CHECK(h.bytes_written() == len);
        CHECK(h.finalize() == sodium_sha256(data));
    }
    // Byte-at-a-time over several blocks.
    const Bytes data = random_bytes(rng, 200);
    Sha256 h;
    for (const auto c : data) h.write(ByteSpan(&c, 1));
    CHECK(h.finalize() == sodium_sha256(data));
}

TEST_CASE("sha256: kernels agree on multi-block runs from a non-initial state", "[sha256]") {
    std::mt19937_64 rng(0x5eed'0003);
    const Bytes data = random_bytes(rng, 64 * 9);
    Sha256State start{};
    for (auto& w : start) w = static_cast<std::uint32_t>(rng());
    Sha256State portable = start;
    sha256_compress(Sha256Impl::portable, portable, data.data(), 9);
    // The portable kernel one block at a time equals a 9-block call.
    Sha256State stepwise = start;
    for (std::size_t i = 0; i < 9; ++i) sha256_compress(Sha256Impl::portable, stepwise, data.data() + 64 * i, 1);
    CHECK(stepwise == portable);
    CHECK(portable != start);
    Sha256State best = start;
    sha256_compress(best, data.data(), 9);
    CHECK(best == portable);
    if (sha256_shani_available()) {
        Sha256State shani = start;
        sha256_compress(Sha256Impl::shani, shani, data.data(), 9);
        CHECK(shani == portable);
        CHECK(sha256_best_impl() == Sha256Impl::shani);
    }
}

TEST_CASE("sha256d: is SHA-256 applied twice", "[sha256]") {
    const std::string abc = "abc";
    CHECK(sha256d(as_bytes(abc)) == sodium_sha256(sodium_sha256(as_bytes(abc)).span()));
    CHECK(sha256d(as_bytes(abc)) != sha256(as_bytes(abc)));
}
