#include "block_download.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::node::detail;
using namespace std::chrono_literals;

namespace {

chain::BlockHash hash_n(std::uint64_t n) {
    std::array<std::uint8_t, 32> b{};
    for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
    b[31] = 1;
    return chain::BlockHash(b);
}

std::vector<NeededBlock> needed(std::uint64_t from, std::uint64_t count) {
    std::vector<NeededBlock> v;
    for (std::uint64_t h = from; h < from + count; ++h) v.push_back({hash_n(h), h});
    return v;
}

}  // namespace

TEST_CASE("blocks are spread over peers, 16 in flight each, never twice", "[node][download]") {
    BlockDownload d;
    d.set_needed(needed(1, 100));
    const auto t = Clock::now();
    auto a = d.assign(1, 100, t);
    auto b = d.assign(2, 100, t);
    REQUIRE(a.size() == 16);
    REQUIRE(b.size() == 16);
    CHECK(a.front().height == 1);
    CHECK(b.front().height == 17);       // nothing asked twice
    CHECK(d.assign(1, 100, t).empty());  // peer 1 is at its cap
    CHECK(d.in_flight_total() == 32);
    CHECK(d.received(1, a[0].hash));
    CHECK(d.assign(1, 100, t).size() == 1);  // room for one more
    CHECK_FALSE(d.received(2, a[1].hash));   // arrived, but not from whom we asked
}

TEST_CASE("a peer is only asked for blocks up to its height, within the window", "[node][download]") {
    BlockDownload d(DownloadConfig{8, 16, 2s, 20s});
    d.set_needed(needed(1, 100));
    const auto t = Clock::now();
    CHECK(d.assign(1, 3, t).size() == 3);  // it has only up to height 3
    const auto more = d.assign(2, 100, t);
    REQUIRE(more.size() == 5);  // heights 4..8: the window ends at 1 + 8
    CHECK(more.back().height == 8);
}

TEST_CASE("a peer holding the window's first block is found within the stall timeout", "[node][download]") {
    BlockDownload d;
    d.set_needed(needed(1, 40));
    const auto t0 = Clock::now();
    auto slow = d.assign(1, 100, t0);
    auto fast = d.assign(2, 100, t0);
    for (const auto& b : fast) d.received(2, b.hash);  // the fast peer delivers 17..32
    CHECK_FALSE(d.find_staller(t0 + 1s).has_value());  // not yet 2 s
    auto staller = d.find_staller(t0 + 2s);
    REQUIRE(staller.has_value());
    CHECK(*staller == 1);
    // Its blocks go to someone else once it is removed.
    d.remove_peer(1);
    auto reassigned = d.assign(2, 100, t0 + 2s);
    REQUIRE_FALSE(reassigned.empty());
    CHECK(reassigned.front().hash == slow.front().hash);
}

TEST_CASE("a slow peer that nobody overtakes is not a staller while others have work", "[node][download]") {
    BlockDownload d;
    d.set_needed(needed(1, 100));
    const auto t0 = Clock::now();
    (void)d.assign(1, 100, t0);
    CHECK_FALSE(d.find_staller(t0 + 5s).has_value());  // nothing delivered past it, more left to ask
    CHECK(d.timed_out(t0 + 20s) == std::vector<PeerKey>{1});
}

TEST_CASE("notfound moves a block to another peer and never back", "[node][download]") {
    BlockDownload d;
    d.set_needed(needed(1, 1));
    const auto t = Clock::now();
    REQUIRE(d.assign(1, 10, t).size() == 1);
    d.refused(1, hash_n(1));
    CHECK(d.assign(1, 10, t).empty());
    CHECK(d.assign(2, 10, t).size() == 1);
}

TEST_CASE("a claimed block (a compact block being rebuilt) is in flight from its peer and assigned to no other",
          "[node][download][cmpct]") {
    BlockDownload d;
    const auto t = Clock::now();
    CHECK_FALSE(d.holder(hash_n(5)));
    REQUIRE(d.claim(7, hash_n(5), 5, t));
    CHECK(d.holder(hash_n(5)) == PeerKey{7});
    CHECK(d.in_flight(7) == 1);
    CHECK_FALSE(d.claim(8, hash_n(5), 5, t));  // the first claim wins
    CHECK(d.holder(hash_n(5)) == PeerKey{7});
    d.set_needed(needed(5, 1));  // the download list catches up with the header
    CHECK(d.assign(8, 5, t).empty());
    CHECK(d.received(7, hash_n(5)));
    CHECK_FALSE(d.holder(hash_n(5)));
    CHECK(d.needed_count() == 0);
    // A dropped peer's claim is free for others again.
    REQUIRE(d.claim(7, hash_n(6), 6, t));
    d.remove_peer(7);
    CHECK_FALSE(d.holder(hash_n(6)));
}

TEST_CASE("a block stored while a stale list still names it is not asked for again", "[node][download][cmpct]") {
    BlockDownload d;
    const auto t = Clock::now();
    d.set_needed(needed(5, 2));  // computed before block 5 connected
    d.stored(hash_n(5));
    CHECK(d.needed_count() == 1);
    const auto a = d.assign(1, 10, t);
    REQUIRE(a.size() == 1);
    CHECK(a[0].hash == hash_n(6));
    d.stored(hash_n(6));  // in flight: the request stands until it is answered
    CHECK(d.needed_count() == 1);
}
