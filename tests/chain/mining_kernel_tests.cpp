// Every miner kernel against references: libsodium's SHA-256 of the encoded
// header (full states), the scalar kernel (the early-reject scan), the
// published header vector of docs/protocol.md, and nonce ranges that wrap
// the 32-bit nonce word and the whole 64-bit space.
#include "chainkit/chain/mining_kernel.hpp"

#include "support/vectors.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

using namespace chainkit::chain;

namespace {

Bytes from_hex(const std::string& s) {
    Bytes b;
    REQUIRE(parse_hex(s, b));
    return b;
}

BlockHeader random_header(std::mt19937_64& rng) {
    BlockHeader h;
    h.version = static_cast<std::uint32_t>(rng());
    for (auto& c : h.prev.bytes()) c = static_cast<std::uint8_t>(rng());
    for (auto& c : h.merkle_root.bytes()) c = static_cast<std::uint8_t>(rng());
    h.time = static_cast<std::int64_t>(rng());
    h.bits = static_cast<std::uint32_t>(rng());
    h.nonce = rng();
    return h;
}

// The reference: libsodium over the 88 encoded bytes, as state words.
Sha256State reference_state(BlockHeader h, std::uint64_t nonce) {
    h.nonce = nonce;
    const auto bytes = h.encode();
    std::uint8_t digest[32];
    crypto_hash_sha256(digest, bytes.data(), bytes.size());
    Sha256State s{};
    for (std::size_t i = 0; i < 8; ++i)
        s[i] = std::uint32_t{digest[4 * i]} << 24 | std::uint32_t{digest[4 * i + 1]} << 16 |
               std::uint32_t{digest[4 * i + 2]} << 8 | digest[4 * i + 3];
    return s;
}

// Every kernel's states for `count` nonces from `first` equal the reference.
void check_states(const BlockHeader& h, std::uint64_t first, std::size_t count) {
    for (const auto k : available_miner_kernels()) {
        const NonceScanner scanner(h, k);
        REQUIRE(scanner.kernel() == k);
        std::vector<Sha256State> got(count);
        scanner.states(first, got.data(), count);
        for (std::size_t i = 0; i < count; ++i) {
            INFO("kernel " << to_string(k) << " nonce " << first + i);
            CHECK(got[i] == reference_state(h, first + i));
        }
    }
}

}  // namespace

TEST_CASE("mining kernels: dispatch names, availability and the best kernel", "[mining_kernel]") {
    const auto kernels = available_miner_kernels();
    REQUIRE_FALSE(kernels.empty());
    CHECK(kernels.front() == MinerKernel::scalar);
    CHECK(miner_kernel_available(MinerKernel::automatic));
    const MinerKernel best = best_miner_kernel();
    CHECK(best != MinerKernel::automatic);
    CHECK(miner_kernel_available(best));
    if (sha256_shani_available()) CHECK((best == MinerKernel::shani2 || best == MinerKernel::shani4));
    for (const auto k : {MinerKernel::automatic, MinerKernel::scalar, MinerKernel::avx2, MinerKernel::shani1,
                         MinerKernel::shani2, MinerKernel::shani4})
        CHECK(parse_miner_kernel(to_string(k)) == k);
    CHECK_FALSE(parse_miner_kernel("sse2"));
    CHECK_FALSE(parse_miner_kernel(""));
    // `automatic`, and any kernel this CPU lacks, run the best one.
    CHECK(NonceScanner(BlockHeader{}).kernel() == best);
    for (const auto k : {MinerKernel::avx2, MinerKernel::shani1, MinerKernel::shani2, MinerKernel::shani4})
        CHECK(NonceScanner(BlockHeader{}, k).kernel() == (miner_kernel_available(k) ? k : best));
}

TEST_CASE("mining kernels: the published header vector", "[mining_kernel]") {
    REQUIRE(sodium_init() >= 0);
    const auto v = chainkit::test::load_vectors("encoding.json")["block"];
    BlockHeader h;
    REQUIRE(decode(from_hex(v["header_hex"].get<std::string>()), h));
    const auto expected = BlockHash::from_hex(v["hash"].get<std::string>());
    REQUIRE(expected);
    for (const auto k : available_miner_kernels()) {
        Sha256State s{};
        NonceScanner(h, k).states(h.nonce, &s, 1);
        BlockHash got;
        sha256_state_to_digest(s, got.bytes().data());
        INFO("kernel " << to_string(k));
        CHECK(got == *expected);
    }
}

TEST_CASE("mining kernels: states equal libsodium on random headers", "[mining_kernel]") {
    REQUIRE(sodium_init() >= 0);
    std::mt19937_64 rng(0x6b65'726e);
    for (int i = 0; i < 40; ++i) {
        const BlockHeader h = random_header(rng);
        // Every count 1..13 covers partial and whole groups of 2, 4 and 8 lanes.
        check_states(h, rng(), static_cast<std::size_t>(1 + i % 13));
    }
}

TEST_CASE("mining kernels: nonce ranges that wrap around", "[mining_kernel]") {
    REQUIRE(sodium_init() >= 0);
    std::mt19937_64 rng(0x77'7261'70);
    const BlockHeader h = random_header(rng);
    constexpr auto MAX = std::numeric_limits<std::uint64_t>::max();
    check_states(h, MAX - 6, 13);                  // past 2^64 back to 0
    check_states(h, 0xffff'fffaULL, 13);           // the carry into the high nonce word
    check_states(h, 0x1234'5678'ffff'fffdULL, 7);  // the same with a high word already set
}

TEST_CASE("mining kernels: time changes equal a fresh scanner", "[mining_kernel]") {
    REQUIRE(sodium_init() >= 0);
    std::mt19937_64 rng(0x7469'6d65);
    BlockHeader h = random_header(rng);
    for (const auto k : available_miner_kernels()) {
        NonceScanner scanner(h, k);
        for (const std::int64_t t : {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::max(),
                                     std::int64_t{1'700'000'001}}) {
            scanner.set_time(t);
            h.time = t;
            Sha256State s{};
            scanner.states(77, &s, 1);
            INFO("kernel " << to_string(k) << " time " << t);
            CHECK(s == reference_state(h, 77));
        }
    }
}

TEST_CASE("mining kernels: the early-reject scan equals the scalar reference", "[mining_kernel]") {
    REQUIRE(sodium_init() >= 0);
    std::mt19937_64 rng(0x7363'616e);
    constexpr auto MAX = std::numeric_limits<std::uint64_t>::max();
    for (int round = 0; round < 12; ++round) {
        const BlockHeader h = random_header(rng);
        // Starts near both wrap points and anywhere; about 1 nonce in 16
        // passes a top word of 2^28 - 1, so most ranges hold several hits.
        const std::uint64_t starts[] = {MAX - 40, 0xffff'ffffULL - 40, rng()};
        const std::uint64_t first = starts[round % 3];
        constexpr std::size_t N = 96;
        std::vector<std::uint32_t> top_word(N);
        for (std::size_t i = 0; i < N; ++i) top_word[i] = reference_state(h, first + i)[0];
        for (const std::uint32_t target_top : {0u, 0x0fff'ffffu, 0x7fff'ffffu, 0xffff'ffffu}) {
            for (const auto k : available_miner_kernels()) {
                const NonceScanner scanner(h, k);
                CHECK(scanner.scan(first, 0, target_top) == 0);
                // Walk the range hit by hit, as the miner does, in uneven steps.
                for (std::size_t pos = 0; pos < N;) {
                    const std::size_t count = std::min<std::size_t>(N - pos, 1 + (pos * 7) % 23);
                    std::size_t expected = count;
                    for (std::size_t i = 0; i < count && expected == count; ++i)
                        if (top_word[pos + i] <= target_top) expected = i;
                    INFO("kernel " << to_string(k) << " target top " << target_top << " at " << pos);
                    REQUIRE(scanner.scan(first + pos, count, target_top) == expected);
                    pos += expected == count ? count : expected + 1;
                }
            }
        }
    }
}
