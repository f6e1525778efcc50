#include "chainkit/node/address_book.hpp"
#include "chainkit/node/ban_list.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace chainkit::node;

namespace {
std::string addr(int i) {
    return "/ip4/10.0.0.1/tcp/" + std::to_string(1000 + i) + "/p2p/peer" + std::to_string(i);
}
}  // namespace

TEST_CASE("one source's addr flood cannot crowd out the others", "[node][addrbook]") {
    AddressBook book(AddressBookLimits{100, 10, 20}, 1);
    for (int i = 0; i < 5; ++i) book.add(addr(i), "honest", 100, 100);
    for (int i = 100; i < 10'100; ++i) book.add(addr(i), "flooder", 100, 100);
    CHECK(book.count_from("honest") == 5);
    CHECK(book.count_from("flooder") == 10);
    CHECK(book.size() == 15);
}

TEST_CASE("when the book is full the biggest source gives way", "[node][addrbook]") {
    AddressBook book(AddressBookLimits{20, 10, 20}, 1);
    for (int s = 0; s < 3; ++s)
        for (int i = 0; i < 10; ++i) book.add(addr(s * 100 + i), "src" + std::to_string(s), 100 + i, 200);
    CHECK(book.size() == 20);
    CHECK(book.count_from("src2") >= 1);  // the newest source still got in
}

TEST_CASE("dial back-off doubles per failure and a success resets it", "[node][addrbook]") {
    AddressBook book({}, 1);
    book.add(addr(1), "", 100, 100);
    REQUIRE(book.select({}, 100) == addr(1));
    book.mark_failure(addr(1), 100);
    book.mark_failure(addr(1), 100);
    book.mark_failure(addr(1), 100);  // 3 failures: 4 s
    CHECK_FALSE(book.select({}, 103).has_value());
    CHECK(book.select({}, 104) == addr(1));
    book.mark_success(addr(1), 104);
    CHECK(book.find(addr(1))->tried);
    CHECK(book.find(addr(1))->failures == 0);
    CHECK_FALSE(book.select({addr(1)}, 200).has_value());  // excluded
}

TEST_CASE("the book survives a save and a restore, bounded", "[node][addrbook]") {
    AddressBook a({}, 1);
    for (int i = 0; i < 30; ++i) a.add(addr(i), "s" + std::to_string(i % 3), 100 + i, 200);
    a.mark_success(addr(3), 300);
    AddressBook b({}, 2);
    b.restore(a.records());
    CHECK(b.records() == a.records());
    CHECK(b.sample(5).size() == 5);
    CHECK(b.sample(5).front().tried);  // tried addresses are offered first
}

TEST_CASE("bans expire and are swept", "[node][bans]") {
    BanList bans;
    bans.ban("peerA", 1000, "invalid block");
    CHECK(bans.is_banned("peerA", 999));
    CHECK_FALSE(bans.is_banned("peerA", 1000));
    CHECK_FALSE(bans.is_banned("peerB", 0));
    BanList restored;
    restored.restore(bans.records(), 500);
    CHECK(restored.is_banned("peerA", 999));
    CHECK(restored.sweep(1000));
    CHECK(restored.size() == 0);
}
