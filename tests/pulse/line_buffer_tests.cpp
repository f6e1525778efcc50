// Covers examples/pulse_p2p/src/line_buffer.cpp: lines split across reads,
// the per-line bound and the node-wide budget shared by several buffers.
#include <catch2/catch.hpp>

#include <chainkit/pulse/line_buffer.hpp>
#include <memory>
#include <string>

using namespace chainkit::pulse;

TEST_CASE("a line buffer splits lines across reads and returns their bytes", "[pulse][line_buffer]") {
    auto budget = std::make_shared<LineBudget>(100);
    LineBuffer buf(budget, 10);
    REQUIRE(buf.append("ab"));
    CHECK_FALSE(buf.next_line());
    CHECK_FALSE(buf.overlong());
    CHECK(budget->used() == 2);
    REQUIRE(buf.append("c\n\nde\nf"));
    CHECK(buf.next_line() == "abc");
    CHECK(buf.next_line() == "");
    CHECK(buf.next_line() == "de");
    CHECK_FALSE(buf.next_line());
    CHECK(budget->used() == 1);  // "f" is still held
    CHECK(buf.take_rest() == "f");
    CHECK(budget->used() == 0);
    CHECK(buf.take_rest().empty());
}

TEST_CASE("a line over max_line is overlong with or without its newline", "[pulse][line_buffer]") {
    auto budget = std::make_shared<LineBudget>(1000);
    SECTION("exactly max_line bytes is allowed") {
        LineBuffer buf(budget, 4);
        REQUIRE(buf.append("abcd\n"));
        CHECK(buf.next_line() == "abcd");
        CHECK_FALSE(buf.overlong());
    }
    SECTION("no newline yet") {
        LineBuffer buf(budget, 4);
        REQUIRE(buf.append("abcd"));
        CHECK_FALSE(buf.next_line());
        CHECK_FALSE(buf.overlong());
        REQUIRE(buf.append("e"));
        CHECK_FALSE(buf.next_line());
        CHECK(buf.overlong());
    }
    SECTION("newline in the same read, after a good line") {
        LineBuffer buf(budget, 4);
        REQUIRE(buf.append("ok\nabcdef\nx\n"));
        CHECK(buf.next_line() == "ok");
        CHECK_FALSE(buf.next_line());
        CHECK(buf.overlong());
    }
}

TEST_CASE("the budget is shared by every buffer and refuses what would pass it", "[pulse][line_buffer]") {
    auto budget = std::make_shared<LineBudget>(10);
    auto a = std::make_unique<LineBuffer>(budget, 100);
    LineBuffer b(budget, 100);
    REQUIRE(a->append("123456"));
    CHECK(budget->used() == 6);
    CHECK_FALSE(b.append("12345"));  // 6 + 5 > 10: refused, nothing kept
    CHECK(b.size() == 0);
    CHECK(budget->used() == 6);
    REQUIRE(b.append("1234"));
    CHECK(budget->used() == 10);
    CHECK_FALSE(a->append("x"));
    a.reset();  // a closed stream gives back what it held
    CHECK(budget->used() == 4);
    REQUIRE(b.append("\n"));  // and so does a completed line
    CHECK(b.next_line() == "1234");
    CHECK(budget->used() == 0);
}
