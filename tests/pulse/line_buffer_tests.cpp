// Covers examples/pulse_p2p/src/line_buffer.cpp: lines split across reads,
// the per-line bound and the node-wide budget shared by several buffers.
#include <catch2/catch.hpp>

#include <chainkit/pulse/line_buffer.hpp>
#include <memory>
#include <string>
#include <vector>

using namespace chainkit::pulse;

TEST_CASE("a line buffer splits lines across reads and returns their bytes", "[pulse][line_buffer]") {
    auto budget = std::make_shared<LineBudget>(100);
    LineBuffer buf(budget, 10);
    REQUIRE(buf.append("ab"));
    CHECK_FALSE(buf.next_line());
    CHECK_FALSE(buf.overlong());
    CHECK(budget->used() == buf.held());  // 0 while the bytes fit the string's inline buffer
    REQUIRE(buf.append("c\n\nde\nf"));
    CHECK(buf.next_line() == "abc");
    CHECK(buf.next_line() == "");
    CHECK(buf.next_line() == "de");
    CHECK_FALSE(buf.next_line());
    CHECK(buf.size() == 1);  // "f" is still held
    CHECK(budget->used() == buf.held());
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
    auto budget = std::make_shared<LineBudget>(1000);
    auto a = std::make_unique<LineBuffer>(budget, 2000);
    LineBuffer b(budget, 2000);
    REQUIRE(a->append(std::string(600, '1')));
    CHECK(budget->used() == a->held());
    CHECK(a->held() >= 600);
    CHECK_FALSE(b.append(std::string(700, '2')));  // 600 + 700 > 1000, a holds less: refused, nothing kept
    CHECK(b.size() == 0);
    CHECK(budget->used() == a->held());
    const std::size_t rest = 1000 - a->held();
    REQUIRE(b.append(std::string(rest, '2')));
    CHECK(budget->used() == 1000);
    CHECK_FALSE(a->append("x"));
    a.reset();  // a closed stream gives back what it held
    CHECK(budget->used() == b.held());
    REQUIRE(b.append("\n"));  // and so does a completed line
    CHECK(b.next_line() == std::string(rest, '2'));
    CHECK(budget->used() == 0);
}

// The budget used to count the bytes held, not the memory holding them: a
// line taken from the front of a buffer left its capacity behind (erase
// keeps it), so streams that each sent a near-max line and one byte more
// pinned their whole capacity while the budget saw a byte each.
TEST_CASE("the budget counts the memory buffers hold, not just their bytes", "[pulse][line_buffer]") {
    constexpr std::size_t limit = 1500;
    auto budget = std::make_shared<LineBudget>(limit);
    std::vector<std::unique_ptr<LineBuffer>> streams;
    const std::string near_max = std::string(999, 'a') + "\nx";  // a 999-byte line and one byte of the next
    std::size_t refused = 0;
    for (int i = 0; i < 5; ++i) {
        streams.push_back(std::make_unique<LineBuffer>(budget, 1000));
        if (!streams.back()->append(near_max)) {
            ++refused;
            continue;
        }
        CHECK(streams.back()->next_line() == std::string(999, 'a'));
    }
    std::size_t held = 0;
    for (const auto& s : streams) held += s->held();
    CHECK(held <= limit);
    CHECK(budget->used() == held);
    CHECK(refused == 0);  // each gives its capacity back once the line is taken
    streams.clear();
    CHECK(budget->used() == 0);
}

TEST_CASE("a buffer grows within the budget, exactly when doubling would not fit", "[pulse][line_buffer]") {
    auto budget = std::make_shared<LineBudget>(3000);
    LineBuffer a(budget, 5000);
    REQUIRE(a.append(std::string(1000, 'a')));
    REQUIRE(a.append(std::string(1000, 'a')));  // doubling 1000 fits
    CHECK(a.held() >= 2000);
    CHECK(budget->used() == a.held());
    REQUIRE(a.append(std::string(900, 'a')));  // doubling again would not: exactly 2900
    CHECK(a.held() <= 3000);
    CHECK(budget->used() == a.held());
    CHECK_FALSE(a.append(std::string(200, 'a')));  // 3100 > 3000
    CHECK(a.size() == 2900);
}

// A full budget used to refuse whoever came next, so buffers parked on partial
// lines kept a newcomer's short line out. Now the largest holders make room.
TEST_CASE("a full budget evicts the largest holders to make room for a smaller line", "[pulse][line_buffer]") {
    auto budget = std::make_shared<LineBudget>(1000);
    int evicted_a = 0;
    int evicted_b = 0;
    LineBuffer a(budget, 2000, [&] { ++evicted_a; });
    LineBuffer b(budget, 2000, [&] { ++evicted_b; });
    LineBuffer honest(budget, 2000);
    REQUIRE(a.append(std::string(600, 'a')));
    REQUIRE(b.append(std::string(1000 - a.held(), 'b')));
    REQUIRE(budget->used() == 1000);
    REQUIRE(a.held() > b.held());
    REQUIRE(honest.append(std::string(100, 'h') + "\n"));  // a, the largest, is evicted
    CHECK(evicted_a == 1);
    CHECK(evicted_b == 0);
    CHECK(a.evicted() == std::optional<std::size_t>(600));
    CHECK(a.held() == 0);
    CHECK_FALSE(a.append("more"));  // an evicted buffer takes nothing again
    CHECK(honest.next_line() == std::string(100, 'h'));
    CHECK(budget->used() == b.held() + honest.held());
    CHECK(budget->used() <= budget->limit());
}

TEST_CASE("nobody holding less than the newcomer would is evicted for it", "[pulse][line_buffer]") {
    auto budget = std::make_shared<LineBudget>(1000);
    int evictions = 0;
    LineBuffer a(budget, 2000, [&] { ++evictions; });
    LineBuffer b(budget, 2000, [&] { ++evictions; });
    LineBuffer big(budget, 2000);
    REQUIRE(a.append(std::string(500, 'a')));
    REQUIRE(b.append(std::string(500, 'b')));
    REQUIRE(budget->used() == 1000);
    CHECK_FALSE(big.append(std::string(500, 'x')));  // would hold as much as each: refused instead
    CHECK(evictions == 0);
    CHECK(big.size() == 0);
    REQUIRE(big.append(std::string(499, 'x')));  // less: one holder goes
    CHECK(evictions == 1);
    CHECK(budget->used() <= budget->limit());
}
