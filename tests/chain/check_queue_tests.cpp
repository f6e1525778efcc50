// SigCheckQueue: the first failing index never depends on the thread count.
#include "chainkit/chain/check_queue.hpp"

#include "support/signing.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <vector>

using namespace chainkit::chain;
using chainkit::test::TestKey;

namespace {

// Enough checks that every thread of a 4-thread queue claims chunks.
constexpr std::size_t BATCH = 90;

std::vector<SigCheck> valid_batch(std::mt19937_64& rng, std::size_t n) {
    static const TestKey keys[] = {TestKey::from_seed(1), TestKey::from_seed(2), TestKey::from_seed(3)};
    std::vector<SigCheck> batch(n);
    for (auto& c : batch) {
        const TestKey& key = keys[rng() % 3];
        for (auto& b : c.message.bytes()) b = static_cast<std::uint8_t>(rng());
        c.pubkey = key.pk;
        crypto_sign_detached(c.signature.data(), nullptr, c.message.data(), c.message.SIZE, key.sk.data());
    }
    return batch;
}

// Breaks check `i` in one of three ways a peer could: a flipped signature
// bit, a different message, another signer's key.
void corrupt(SigCheck& c, std::mt19937_64& rng) {
    switch (rng() % 3) {
        case 0:
            c.signature[rng() % c.signature.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            break;
        case 1:
            c.message.bytes()[rng() % c.message.SIZE] ^= 0x01;
            break;
        default:
            c.pubkey = TestKey::from_seed(9).pk;
            break;
    }
}

std::optional<std::size_t> verify_with(unsigned threads, const std::vector<SigCheck>& batch) {
    SigCheckQueue queue(threads);
    REQUIRE(queue.threads() == threads);
    return queue.verify(batch);
}

}  // namespace

TEST_CASE("check_queue: an empty batch passes", "[check_queue]") {
    for (const unsigned threads : {1u, 2u, 4u}) {
        SigCheckQueue queue(threads);
        CHECK_FALSE(queue.verify({}));
    }
}

TEST_CASE("check_queue: an all-valid batch passes on 1, 2 and 4 threads", "[check_queue]") {
    std::mt19937_64 rng(11);
    const auto batch = valid_batch(rng, BATCH);
    for (const auto& c : batch) REQUIRE(verify_signature(c.pubkey, c.message, c.signature));
    for (const unsigned threads : {1u, 2u, 4u}) CHECK_FALSE(verify_with(threads, batch));
}

TEST_CASE("check_queue: the first failure index is the same on 1, 2 and 4 threads", "[check_queue]") {
    std::mt19937_64 rng(12);
    const auto valid = valid_batch(rng, BATCH);
    for (const std::size_t bad_count : {std::size_t{1}, std::size_t{2}, std::size_t{7}}) {
        for (int round = 0; round < 3; ++round) {
            auto batch = valid;
            std::set<std::size_t> bad;
            while (bad.size() < bad_count) bad.insert(rng() % batch.size());
            for (const auto i : bad) corrupt(batch[i], rng);
            INFO(bad_count << " invalid, first at " << *bad.begin());
            for (const unsigned threads : {1u, 2u, 4u}) {
                INFO("threads " << threads);
                const auto failure = verify_with(threads, batch);
                REQUIRE(failure);
                CHECK(*failure == *bad.begin());
            }
        }
    }
}

TEST_CASE("check_queue: failures at both ends and queue reuse", "[check_queue]") {
    std::mt19937_64 rng(13);
    const auto valid = valid_batch(rng, BATCH);
    auto first_bad = valid;
    corrupt(first_bad.front(), rng);
    auto last_bad = valid;
    corrupt(last_bad.back(), rng);
    // Only the last of 90 checks fails: every chunk but one passes first.
    SigCheckQueue queue(4);
    for (int i = 0; i < 3; ++i) {
        CHECK(queue.verify(first_bad) == std::optional<std::size_t>(0));
        CHECK(queue.verify(last_bad) == std::optional<std::size_t>(BATCH - 1));
        CHECK_FALSE(queue.verify(valid));
        CHECK_FALSE(queue.verify({}));
    }
}

TEST_CASE("check_queue: checks added piecewise give the same answer as one batch", "[check_queue]") {
    std::mt19937_64 rng(7);
    auto batch = valid_batch(rng, 90);
    corrupt(batch[61], rng);
    corrupt(batch[75], rng);
    const auto expected = verify_with(1, batch);
    REQUIRE(expected == std::optional<std::size_t>(61));
    for (unsigned threads : {1u, 2u, 4u}) {
        SigCheckQueue q(threads);
        for (std::size_t piece : {1u, 7u, 16u, 90u}) {
            SigCheckQueue::Session session(q);
            for (std::size_t at = 0; at < batch.size(); at += piece)
                session.add(std::span(batch).subspan(at, std::min(piece, batch.size() - at)));
            CHECK(session.finish() == expected);
        }
        // A session abandoned mid-way leaves the queue clean for the next.
        {
            SigCheckQueue::Session abandoned(q);
            abandoned.add(std::span(batch).subspan(0, 70));
        }
        CHECK(q.verify(std::span(batch).subspan(0, 60)) == std::nullopt);
    }
}
