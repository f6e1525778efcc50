#include "chainkit/chain/amount.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;

TEST_CASE("coin amounts parse with up to 8 decimals", "[amount]") {
    CHECK(parse_coins("3") == 3 * COIN);
    CHECK(parse_coins("0.5") == COIN / 2);
    CHECK(parse_coins(".5") == COIN / 2);
    CHECK(parse_coins("0.00000001") == 1);
    CHECK(parse_coins("21000000") == MAX_MONEY);
}

TEST_CASE("malformed or out-of-range amounts are refused", "[amount]") {
    for (const char* bad :
         {"", ".", "5.", "-1", "+1", "1e3", "0.000000001", "1,5", " 1", "21000000.00000001", "abc", "1.2.3"})
        CHECK_FALSE(parse_coins(bad).has_value());
}

TEST_CASE("amounts print in coins without trailing zeros", "[amount]") {
    CHECK(format_coins(0) == "0");
    CHECK(format_coins(10 * COIN) == "10");
    CHECK(format_coins(COIN / 2) == "0.5");
    CHECK(format_coins(1) == "0.00000001");
    CHECK(format_coins(-COIN * 3 / 2) == "-1.5");
    CHECK(format_coins(std::numeric_limits<Amount>::min()) == "-92233720368.54775808");
}
