#include "tx_requests.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::node::detail;
using namespace std::chrono_literals;

namespace {

chain::TxId txid_n(std::uint64_t n) {
    std::array<std::uint8_t, 32> b{};
    for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
    b[31] = 2;
    return chain::TxId(b);
}

TxRequestConfig small() {
    return TxRequestConfig{
        .max_in_flight_per_peer = 2, .max_announced_per_peer = 5, .max_announced_total = 8, .timeout = 10s};
}

}  // namespace

TEST_CASE("tx requests: at most the in-flight cap per peer, the rest asked as slots free", "[node][txrequests]") {
    TxRequests r(small());
    const auto t = Clock::now();
    for (std::uint64_t i = 0; i < 5; ++i) CHECK(r.announced(1, txid_n(i)));
    CHECK_FALSE(r.announced(1, txid_n(9)));  // the per-peer bound
    CHECK_FALSE(r.announced(1, txid_n(0)));  // already announced
    CHECK(r.take_requests(1, t) == std::vector{txid_n(0), txid_n(1)});
    CHECK(r.take_requests(1, t).empty());
    r.received(txid_n(1));
    CHECK(r.take_requests(1, t) == std::vector{txid_n(2)});
    r.received(txid_n(0));
    r.received(txid_n(2));
    CHECK(r.take_requests(1, t) == std::vector{txid_n(3), txid_n(4)});
    r.received(txid_n(3));
    r.received(txid_n(4));
    CHECK(r.announced_total() == 0);
    CHECK(r.tracked() == 0);
    CHECK(r.in_flight(1) == 0);
}

TEST_CASE("tx requests: one peer at a time; notfound, timeout and disconnect move a request on", "[node][txrequests]") {
    TxRequests r(small());
    const auto t = Clock::now();
    const auto a = txid_n(1);
    REQUIRE(r.announced(1, a));
    REQUIRE(r.announced(2, a));
    REQUIRE(r.announced(3, a));
    CHECK(r.take_requests(1, t) == std::vector{a});
    CHECK(r.take_requests(2, t).empty());  // in flight to peer 1

    r.not_found(1, a);
    CHECK(r.take_requests(2, t) == std::vector{a});
    CHECK(r.expire(t + 9s) == 0);
    CHECK(r.expire(t + 10s) == 1);  // peer 2 never answered
    CHECK(r.take_requests(2, t + 10s).empty());
    CHECK(r.take_requests(3, t + 10s) == std::vector{a});
    r.remove_peer(3);
    CHECK(r.tracked() == 0);  // nobody else announced it
    CHECK(r.announced_total() == 0);
}

TEST_CASE("tx requests: a departing peer's requests go to the others and the total stays bounded",
          "[node][txrequests]") {
    TxRequests r(small());
    const auto t = Clock::now();
    for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(r.announced(1, txid_n(i)));
    for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(r.announced(2, txid_n(i)));
    CHECK_FALSE(r.announced(3, txid_n(7)));  // the total bound (8)
    CHECK(r.take_requests(1, t).size() == 2);
    CHECK(r.take_requests(2, t) == std::vector{txid_n(2), txid_n(3)});
    r.remove_peer(1);
    CHECK(r.announced_total() == 4);
    r.received(txid_n(2));
    CHECK(r.take_requests(2, t) == std::vector{txid_n(0)});
    CHECK(r.in_flight(2) == 2);
}
