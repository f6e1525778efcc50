// ChainState headers-first API: header batches, the best header, blocks to
// download, bodies out of order, locators and getheaders answers, and the
// low-work header defence (a small fork held then committed; the 100,000
// header flood is in low_work_headers_tests.cpp).
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/pow.hpp"

#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace chainkit::chain;
using chainkit::test::TestChain;

namespace {

std::vector<BlockHeader> headers_of(const std::vector<Block>& blocks) {
    std::vector<BlockHeader> out;
    for (const auto& b : blocks) out.push_back(b.header);
    return out;
}

// `n` mined blocks on `prev`, paying `to` (a branch no chain state has seen).
std::vector<Block> branch(const Block& prev, std::size_t n, const ConsensusParams& p, const KeyHash& to) {
    std::vector<Block> out;
    const Block* last = &prev;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(chainkit::test::build_child(*last, p, to));
        last = &out.back();
    }
    return out;
}

std::size_t stored_index_size(const TestChain& tc) {
    auto index = tc.store.read_index();
    REQUIRE(index.ok());
    return index->size();
}

}  // namespace

TEST_CASE("a header batch is checked, stored in one write and moves the best header", "[chain_state][headers]") {
    TestChain tc;
    // A full batch: the most a peer may send in one headers message.
    constexpr std::size_t N = MAX_HEADERS_PER_BATCH;
    static_assert(N == 2'000);
    const auto blocks = branch(tc.genesis, N, tc.params, tc.miner.key_hash);
    const auto headers = headers_of(blocks);
    const auto writes = tc.store.batches_written();

    const auto r = tc.state.accept_headers(headers, tc.now());
    REQUIRE(r.ok());
    CHECK(r.accepted == N);
    CHECK(r.already_known == 0);
    CHECK(r.last_hash == blocks.back().hash());
    CHECK(r.last_height == N);
    CHECK(r.best_header_changed);
    CHECK(r.low_work == LowWorkOutcome::none);
    CHECK(tc.store.batches_written() == writes + 1);
    CHECK(stored_index_size(tc) == N + 1);

    CHECK(tc.state.best_header().hash == blocks.back().hash());
    CHECK(tc.state.best_header().height == N);
    CHECK(tc.state.tip().hash == tc.genesis.hash());  // no body yet

    // Sending the same batch again changes nothing.
    const auto again = tc.state.accept_headers(headers, tc.now());
    CHECK(again.ok());
    CHECK(again.accepted == 0);
    CHECK(again.already_known == N);
    CHECK_FALSE(again.best_header_changed);
    CHECK(tc.store.batches_written() == writes + 1);

    // What to download: in height order from the window start, bounded.
    const auto want = tc.state.blocks_to_download(1, 10);
    REQUIRE(want.size() == 10);
    for (std::size_t i = 0; i < want.size(); ++i) {
        CHECK(want[i].first == blocks[i].hash());
        CHECK(want[i].second == i + 1);
    }
    const auto later = tc.state.blocks_to_download(N - 5, 100);
    REQUIRE(later.size() == 6);
    CHECK(later.front().second == N - 5);
    CHECK(later.back().first == blocks.back().hash());
}

TEST_CASE("a header batch reports its first invalid header and keeps those before it", "[chain_state][headers]") {
    TestChain tc;
    auto blocks = branch(tc.genesis, 6, tc.params, tc.miner.key_hash);
    auto headers = headers_of(blocks);

    SECTION("the first header does not connect") {
        const std::vector<BlockHeader> tail(headers.begin() + 2, headers.end());
        const auto r = tc.state.accept_headers(tail, tc.now());
        CHECK(r.validation.reason == RejectReason::unknown_parent);
        CHECK(r.invalid_hash == tail.front().hash());
        CHECK(r.accepted == 0);
        CHECK(tc.state.index_size() == 1);
    }
    SECTION("a header in the middle has a bad timestamp") {
        headers[3].time = headers[2].time - 1000;  // below the median time past
        chainkit::test::mine_header(headers[3], tc.params);
        const auto r = tc.state.accept_headers(headers, tc.now());
        CHECK(r.validation.reason == RejectReason::time_too_old);
        CHECK(r.invalid_hash == headers[3].hash());
        CHECK(r.accepted == 3);
        CHECK(r.last_hash == headers[2].hash());
        CHECK(tc.state.best_header().height == 3);
        CHECK(stored_index_size(tc) == 4);
    }
    SECTION("a header in the middle has wrong bits") {
        headers[1].bits = 0x2000ffff;  // harder than regtest's fixed bits
        chainkit::test::mine_header(headers[1], tc.params);
        const auto r = tc.state.accept_headers(headers, tc.now());
        CHECK(r.validation.reason == RejectReason::bad_bits);
        CHECK(r.accepted == 1);
    }
    SECTION("a header that does not follow the previous one") {
        std::swap(headers[3], headers[4]);
        const auto r = tc.state.accept_headers(headers, tc.now());
        CHECK(r.validation.reason == RejectReason::unknown_parent);
        CHECK(r.accepted == 3);
    }
    SECTION("too many headers in one batch") {
        std::vector<BlockHeader> many(MAX_HEADERS_PER_BATCH + 1, headers[0]);
        const auto r = tc.state.accept_headers(many, tc.now());
        CHECK(r.validation.reason == RejectReason::block_too_large);
        CHECK(tc.state.index_size() == 1);
    }
}

TEST_CASE("bodies of announced headers connect in order whatever order they arrive in", "[chain_state][headers]") {
    TestChain tc;
    const auto blocks = branch(tc.genesis, 40, tc.params, tc.miner.key_hash);
    REQUIRE(tc.state.accept_headers(headers_of(blocks), tc.now()).ok());

    // Reverse order within the download window: none is an orphan, none is lost.
    for (auto it = blocks.rbegin(); it != blocks.rend() - 1; ++it) {
        const auto r = tc.state.accept_block(*it, tc.now());
        CHECK(r.ok());
        CHECK_FALSE(r.orphan);
        CHECK_FALSE(r.tip_changed);
        CHECK(tc.state.have_block(it->hash()));
    }
    CHECK(tc.state.orphan_count() == 0);
    CHECK(tc.state.tip().hash == tc.genesis.hash());
    CHECK(tc.state.blocks_to_download(1, 100).size() == 1);

    const auto r = tc.state.accept_block(blocks.front(), tc.now());
    CHECK(r.ok());
    CHECK(r.tip_changed);
    CHECK(tc.state.tip().hash == blocks.back().hash());
    CHECK(tc.state.best_header().hash == blocks.back().hash());
    CHECK(tc.state.blocks_to_download(1, 100).empty());
    auto report = tc.state.verify();
    REQUIRE(report.ok());
    CHECK(report->ok);
}

TEST_CASE("locators and fork points cover the header tree; getheaders is answered from the active chain",
          "[chain_state][headers]") {
    TestChain tc;
    std::vector<Block> active;
    for (int i = 0; i < 20; ++i) active.push_back(tc.mine());
    const auto ahead = branch(active.back(), 30, tc.params, tc.miner.key_hash);
    REQUIRE(tc.state.accept_headers(headers_of(ahead), tc.now()).ok());

    const auto loc = tc.state.header_locator();
    REQUIRE(loc.size() > 10);
    CHECK(loc.front() == ahead.back().hash());
    CHECK(loc.back() == tc.genesis.hash());
    CHECK(tc.state.locator().front() == active.back().hash());
    CHECK(tc.state.locator_for(ahead[4].hash()).front() == ahead[4].hash());
    CHECK(tc.state.locator_for(BlockHash{}).empty());

    // A peer whose chain ends at ahead[9]: the fork over headers is there;
    // over the active chain it is the locator's first active entry (its
    // eleventh, two steps below ahead[0]: height 19).
    const auto peer = tc.state.locator_for(ahead[9].hash());
    CHECK(tc.state.find_header_fork(peer).hash == ahead[9].hash());
    CHECK(tc.state.find_fork(peer).hash == active[18].hash());
    CHECK(tc.state.on_best_header_chain(ahead[9].hash()));

    // getheaders from a peer at height 5: headers 6.. of the active chain.
    const auto from5 = tc.state.locator_for(active[4].hash());
    auto hs = tc.state.headers_after(from5, BlockHash{}, 2000);
    REQUIRE(hs.size() == 15);
    CHECK(hs.front() == active[5].header);
    CHECK(hs.back() == active.back().header);
    hs = tc.state.headers_after(from5, active[9].hash(), 2000);
    REQUIRE(hs.size() == 5);
    CHECK(hs.back() == active[9].header);
    CHECK(tc.state.headers_after(from5, BlockHash{}, 3).size() == 3);
    CHECK(tc.state.headers_after({active.back().hash()}, BlockHash{}, 2000).empty());
}

TEST_CASE("a low-work fork is held in memory until it overtakes the active chain", "[chain_state][headers]") {
    TestChain tc;
    for (int i = 0; i < 10; ++i) (void)tc.mine();
    const auto fork = branch(tc.genesis, 12, tc.params, chainkit::test::TestKey::from_seed(9).key_hash);
    const auto headers = headers_of(fork);
    const std::size_t index_before = tc.state.index_size();
    const std::size_t stored_before = stored_index_size(tc);

    // Ten headers: as much work as the active chain, not more.
    const std::vector<BlockHeader> first(headers.begin(), headers.begin() + 10);
    auto r = tc.state.accept_headers(first, tc.now(), 7);
    REQUIRE(r.ok());
    CHECK(r.low_work == LowWorkOutcome::held);
    CHECK(r.accepted == 10);
    CHECK(r.last_hash == fork[9].hash());
    CHECK_FALSE(r.best_header_changed);
    CHECK(tc.state.index_size() == index_before);
    CHECK(stored_index_size(tc) == stored_before);
    CHECK(tc.state.low_work_headers().size() == 10);
    CHECK_FALSE(tc.state.contains(fork[0].hash()));
    // The node continues from the held header.
    CHECK(tc.state.locator_for(fork[9].hash()).front() == fork[9].hash());

    // Another sender cannot build on what sender 7 holds.
    const std::vector<BlockHeader> rest(headers.begin() + 10, headers.end());
    CHECK(tc.state.accept_headers(rest, tc.now(), 8).validation.reason == RejectReason::unknown_parent);

    // Sender 7's next headers overtake the active chain: all twelve are stored at once.
    r = tc.state.accept_headers(rest, tc.now(), 7);
    REQUIRE(r.ok());
    CHECK(r.low_work == LowWorkOutcome::committed);
    CHECK(r.best_header_changed);
    CHECK(tc.state.low_work_headers().size() == 0);
    CHECK(tc.state.index_size() == index_before + 12);
    CHECK(stored_index_size(tc) == stored_before + 12);
    CHECK(tc.state.best_header().hash == fork.back().hash());
    CHECK(tc.state.blocks_to_download(1, 100).size() == 12);

    // Bodies arrive: the heavier fork becomes the active chain.
    for (const auto& b : fork) CHECK(tc.state.accept_block(b, tc.now()).ok());
    CHECK(tc.state.tip().hash == fork.back().hash());
}

TEST_CASE("forget_sender frees what a sender held", "[chain_state][headers]") {
    TestChain tc;
    for (int i = 0; i < 5; ++i) (void)tc.mine();
    const auto fork = branch(tc.genesis, 3, tc.params, chainkit::test::TestKey::from_seed(9).key_hash);
    REQUIRE(tc.state.accept_headers(headers_of(fork), tc.now(), 1).low_work == LowWorkOutcome::held);
    CHECK(tc.state.low_work_headers().size() == 3);
    tc.state.forget_sender(1);
    CHECK(tc.state.low_work_headers().size() == 0);
}

TEST_CASE("the best header and what to download survive a restart", "[chain_state][headers]") {
    TestChain tc;
    const auto blocks = branch(tc.genesis, 25, tc.params, tc.miner.key_hash);
    REQUIRE(tc.state.accept_headers(headers_of(blocks), tc.now()).ok());
    for (std::size_t i = 0; i < 5; ++i) REQUIRE(tc.state.accept_block(blocks[i], tc.now()).ok());
    REQUIRE(tc.state.tip().height == 5);

    ChainState reloaded(tc.params, tc.store);
    REQUIRE(reloaded.load().ok());
    CHECK(reloaded.best_header().hash == blocks.back().hash());
    CHECK(reloaded.tip().height == 5);
    const auto want = reloaded.blocks_to_download(6, 100);
    REQUIRE(want.size() == 20);
    CHECK(want.front().first == blocks[5].hash());
}

TEST_CASE("a held chain whose prefix reached the tree meanwhile keeps that prefix's status", "[chain_state][headers]") {
    TestChain tc;
    for (int i = 0; i < 10; ++i) (void)tc.mine();
    const auto fork = branch(tc.genesis, 14, tc.params, chainkit::test::TestKey::from_seed(9).key_hash);
    const auto headers = headers_of(fork);
    const std::vector<BlockHeader> first10(headers.begin(), headers.begin() + 10);
    REQUIRE(tc.state.accept_headers(first10, tc.now(), 1).low_work == LowWorkOutcome::held);

    // Meanwhile the first three bodies arrive as plain blocks and are stored.
    for (int i = 0; i < 3; ++i) REQUIRE(tc.state.accept_block(fork[static_cast<std::size_t>(i)], tc.now()).ok());

    // Sender 1 continues its held chain past the active chain's work.
    const std::vector<BlockHeader> tail(headers.begin() + 10, headers.end());
    const auto r = tc.state.accept_headers(tail, tc.now(), 1);
    REQUIRE(r.ok());
    CHECK(r.low_work == LowWorkOutcome::committed);
    CHECK(tc.state.best_header().hash == fork.back().hash());
    for (int i = 0; i < 3; ++i) CHECK(tc.state.have_block(fork[static_cast<std::size_t>(i)].hash()));
    auto index = tc.store.read_index();
    REQUIRE(index.ok());
    std::size_t with_data = 0;
    for (const auto& [hash, rec] : *index)
        for (int i = 0; i < 3; ++i)
            if (hash == fork[static_cast<std::size_t>(i)].hash() && has_data(rec.status)) ++with_data;
    CHECK(with_data == 3);
}
