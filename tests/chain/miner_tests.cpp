// The miner: the midstate path equals a full header hash, it finds valid
// blocks on 1 and 2 threads and with every kernel, bumps time when a share
// is exhausted, and stops when cancelled.
#include "chainkit/chain/merkle.hpp"
#include "chainkit/chain/miner.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/pow.hpp"
#include "chainkit/chain/validation.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <limits>
#include <random>
#include <thread>

using namespace chainkit::chain;

namespace {

// About one hash in 256 meets this target: harder than regtest's limit so a
// search takes many tries, still instant.
constexpr std::uint32_t ONE_IN_256_BITS = 0x2000ffff;
// Target 1: no hash will ever meet it.
constexpr std::uint32_t IMPOSSIBLE_BITS = 0x03000001;

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

BlockHeader regtest_template(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    BlockHeader h = random_header(rng);
    h.version = 1;
    h.time = 1'700'000'000;
    h.bits = params_for(Network::regtest).pow_limit_bits;
    h.nonce = 0;
    return h;
}

bool same_except_time_and_nonce(BlockHeader a, BlockHeader b) {
    a.time = b.time;
    a.nonce = b.nonce;
    return a == b;
}

}  // namespace

TEST_CASE("miner: the midstate hash equals BlockHeader::hash", "[miner]") {
    std::mt19937_64 rng(0x3141);
    for (int i = 0; i < 50; ++i) {
        BlockHeader h = random_header(rng);
        HeaderHasher hasher(h);
        CHECK(hasher.hash() == h.hash());
        for (int j = 0; j < 5; ++j) {
            h.time = static_cast<std::int64_t>(rng());
            h.nonce = rng();
            hasher.set_time(h.time);
            hasher.set_nonce(h.nonce);
            CHECK(hasher.hash() == h.hash());
        }
    }
    // The extremes of both varying fields.
    BlockHeader h = random_header(rng);
    HeaderHasher hasher(h);
    for (const auto t : {std::numeric_limits<std::int64_t>::min(), std::int64_t{-1}, std::int64_t{0},
                         std::numeric_limits<std::int64_t>::max()}) {
        h.time = t;
        h.nonce = std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(t & 7);
        hasher.set_time(h.time);
        hasher.set_nonce(h.nonce);
        CHECK(hasher.hash() == h.hash());
    }
}

TEST_CASE("miner: finds a valid regtest header on 1 and 2 threads", "[miner]") {
    const auto params = params_for(Network::regtest);
    for (const unsigned threads : {1u, 2u}) {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            const BlockHeader tmpl = regtest_template(seed);
            const MineResult r = mine_header(tmpl, MinerOptions{threads, 0});
            INFO("threads " << threads << " seed " << seed);
            REQUIRE(r.header);
            CHECK(check_block_header(*r.header, params).ok());
            CHECK(same_except_time_and_nonce(*r.header, tmpl));
            CHECK(r.header->time == tmpl.time);  // a 64-bit share is never exhausted here
            CHECK(r.tries >= 1);
            CHECK(r.seconds >= 0);
        }
    }
}

TEST_CASE("miner: every kernel mines a valid regtest block", "[miner]") {
    const auto params = params_for(Network::regtest);
    for (const auto k : available_miner_kernels()) {
        for (const unsigned threads : {1u, 2u}) {
            Block b;
            b.header = regtest_template(50 + threads);
            b.txs.push_back(make_coinbase(1, params.initial_subsidy, KeyHash{}));
            b.header.merkle_root = block_merkle_root(b);
            const MineResult r = mine_block(b, MinerOptions{threads, 0, k});
            INFO("kernel " << to_string(k) << " threads " << threads);
            REQUIRE(r.header);
            CHECK(r.kernel == k);
            CHECK(check_block(b, params).ok());
            CHECK(check_proof_of_work(b.hash(), b.header.bits, params.pow_limit));
        }
    }
    // `automatic` runs the best kernel.
    const MineResult r = mine_header(regtest_template(60), MinerOptions{1, 0});
    REQUIRE(r.header);
    CHECK(r.kernel == best_miner_kernel());
}

TEST_CASE("miner: one thread returns the first hit in search order", "[miner]") {
    // With one thread the order is fixed: every nonce of the share at time t,
    // then again at t+1, ... A full-hash brute force over the same order must
    // stop at the same header, and a share of 16 nonces forces time bumps.
    // Every kernel, whatever its lane count, keeps that order.
    const auto params = params_for(Network::regtest);
    BlockHeader tmpl = regtest_template(7);
    tmpl.bits = ONE_IN_256_BITS;
    tmpl.nonce = std::numeric_limits<std::uint64_t>::max() - 5;  // the share wraps past 2^64

    BlockHeader expected = tmpl;
    std::uint64_t tries = 0;
    for (;; ++expected.time) {
        bool hit = false;
        for (std::uint64_t i = 0; i < 16 && !hit; ++i) {
            expected.nonce = tmpl.nonce + i;
            ++tries;
            hit = check_proof_of_work(expected.hash(), expected.bits, params.pow_limit);
        }
        if (hit) break;
    }
    CHECK(expected.time > tmpl.time);  // this template needs at least one bump

    for (const auto k : available_miner_kernels()) {
        const MineResult r = mine_header(tmpl, MinerOptions{1, 16, k});
        INFO("kernel " << to_string(k));
        REQUIRE(r.header);
        CHECK(check_block_header(*r.header, params).ok());
        CHECK(*r.header == expected);
        CHECK(r.tries == tries);
    }
}

TEST_CASE("miner: a nonce passing the early reject but not the target is passed over", "[miner]") {
    // A target whose top word equals one hash's first word, every other word
    // zero: that nonce passes the kernels' first-word check (<=) but not the
    // whole comparison, and the search must go on to the first nonce that
    // meets the target, found here by brute force over full header hashes.
    BlockHeader tmpl = regtest_template(11);
    std::uint32_t word = 0;
    for (tmpl.nonce = 1000;; ++tmpl.nonce) {
        const BlockHash hash = tmpl.hash();
        const auto& b = hash.bytes();
        word = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
        if (word >= (1u << 26)) break;  // a hit within ~64 nonces
    }
    std::array<std::uint8_t, 32> be{};
    for (int i = 0; i < 4; ++i) be[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(word >> (24 - 8 * i));
    const Uint256 target = Uint256::from_be_bytes(be.data());
    BlockHeader h = tmpl;
    while (!(Uint256::from_hash(h.hash()) <= target)) ++h.nonce;
    REQUIRE(h.nonce > tmpl.nonce);

    for (const auto k : available_miner_kernels()) {
        INFO("kernel " << to_string(k));
        const NonceScanner scanner(tmpl, k);
        REQUIRE(scanner.scan(tmpl.nonce, 1, word) == 0);  // the candidate
        const NonceSearch r = search_nonces(scanner, tmpl.nonce, 1'000'000, target);
        REQUIRE(r.hit);
        CHECK(*r.hit == h.nonce);
        CHECK(r.tries == h.nonce - tmpl.nonce + 1);
        const NonceSearch only_candidate = search_nonces(scanner, tmpl.nonce, 1, target);
        CHECK_FALSE(only_candidate.hit);
        CHECK(only_candidate.tries == 1);
    }
}

TEST_CASE("miner: threads partition the nonce space and bump time", "[miner]") {
    // `per_time` nonces per timestamp split evenly over the threads (the
    // remainder unused): thread i owns [1000 + i*share, 1000 + (i+1)*share).
    // Shares this small force time bumps in most searches.
    const auto params = params_for(Network::regtest);
    struct Case {
        unsigned threads;
        std::uint64_t per_time;
        std::uint64_t nonces_used;
    };
    for (const Case c : {Case{2, 2, 2}, Case{3, 3, 3}, Case{2, 5, 4}}) {
        bool saw_bump = false;
        for (std::uint64_t seed = 100; seed < 110; ++seed) {
            BlockHeader tmpl = regtest_template(seed);
            tmpl.bits = ONE_IN_256_BITS;
            tmpl.nonce = 1000;
            const MineResult r = mine_header(tmpl, MinerOptions{c.threads, c.per_time});
            INFO("threads " << c.threads << " per_time " << c.per_time << " seed " << seed);
            REQUIRE(r.header);
            CHECK(check_block_header(*r.header, params).ok());
            CHECK(r.header->nonce >= 1000);
            CHECK(r.header->nonce < 1000 + c.nonces_used);
            CHECK(r.header->time >= tmpl.time);
            saw_bump = saw_bump || r.header->time > tmpl.time;
        }
        CHECK(saw_bump);
    }
}

TEST_CASE("miner: mine_block mines a block in place", "[miner]") {
    const auto params = params_for(Network::regtest);
    Block b;
    b.header = regtest_template(42);
    b.txs.push_back(make_coinbase(1, params.initial_subsidy, KeyHash{}));
    b.header.merkle_root = block_merkle_root(b);
    const Block before = b;
    const MineResult r = mine_block(b, MinerOptions{2, 0});
    REQUIRE(r.header);
    CHECK(b.header == *r.header);
    CHECK(b.txs == before.txs);
    CHECK(check_block(b, params).ok());
}

TEST_CASE("miner: invalid bits return at once without a header", "[miner]") {
    BlockHeader tmpl = regtest_template(3);
    for (const std::uint32_t bits : {0u, 0x04800001u, 0xff7fffffu}) {
        tmpl.bits = bits;
        const MineResult r = mine_header(tmpl, MinerOptions{2, 0});
        CHECK_FALSE(r.header);
        CHECK(r.tries == 0);
    }
}

TEST_CASE("miner: a cancelled search stops without a header", "[miner]") {
    BlockHeader tmpl = regtest_template(9);
    tmpl.bits = IMPOSSIBLE_BITS;

    SECTION("already cancelled: at most one check interval per thread") {
        std::stop_source src;
        src.request_stop();
        const MineResult r = mine_header(tmpl, MinerOptions{2, 0}, src.get_token());
        CHECK_FALSE(r.header);
        CHECK(r.tries >= 1);
        CHECK(r.tries <= 2 * 4096);
    }

    SECTION("cancelled while running, on 1 and 2 threads") {
        for (const unsigned threads : {1u, 2u}) {
            std::stop_source src;
            std::atomic<bool> cancelled{false};
            auto search = std::async(std::launch::async, [&] {
                MineResult r = mine_header(tmpl, MinerOptions{threads, 0}, src.get_token());
                return std::pair{r, cancelled.load()};
            });
            // Nothing can end this search but the stop request.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            REQUIRE(search.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
            cancelled = true;
            src.request_stop();
            const auto [r, returned_after_cancel] = search.get();
            INFO("threads " << threads);
            CHECK_FALSE(r.header);
            CHECK(returned_after_cancel);
            CHECK(r.tries > 0);
            CHECK(r.nonces_per_second() > 0);
        }
    }
}
