// Covers examples/pulse_p2p/src/options.cpp.
#include <catch2/catch.hpp>

#include <chainkit/pulse/chain.hpp>
#include <chainkit/pulse/options.hpp>

using namespace chainkit::pulse;
using namespace std::chrono_literals;

TEST_CASE("go-style single-dash long flags become double-dash", "[pulse][options]") {
    std::vector<std::string> in{"pulse_p2p", "-l",        "10000", "-secio", "-seed=3", "-d",
                                "/ip4/x",    "-interval", "2s",    "--seed", "4",       "-genesis-timestamp",
                                "T",         "-sec",      "72"};
    std::vector<std::string> want{"pulse_p2p", "-l",         "10000", "--secio", "--seed=3", "-d",
                                  "/ip4/x",    "--interval", "2s",    "--seed",  "4",        "--genesis-timestamp",
                                  "T",         "-sec",       "72"};
    CHECK(normalize_go_flags(in) == want);
}

TEST_CASE("durations parse as go writes them", "[pulse][options]") {
    std::chrono::milliseconds d{};
    std::string why;
    CHECK(parse_duration("5s", d, why));
    CHECK(d == 5s);
    CHECK(parse_duration("500ms", d, why));
    CHECK(d == 500ms);
    CHECK(parse_duration("1.5s", d, why));
    CHECK(d == 1500ms);
    CHECK(parse_duration("2m", d, why));
    CHECK(d == 120s);
    for (const char* bad : {"", "5", "s", "5x", "-5s", "1ms", "25h", "1e400s", "5 s"}) {
        CAPTURE(bad);
        why.clear();
        d = 7ms;
        CHECK_FALSE(parse_duration(bad, d, why));
        CHECK(d == 7ms);
        CHECK_FALSE(why.empty());
    }
}

TEST_CASE("genesis timestamps are printable ASCII of bounded length", "[pulse][options]") {
    std::string why;
    CHECK(check_genesis_timestamp("2018-01-22 00:00:00 +0000 UTC", why));
    CHECK_FALSE(check_genesis_timestamp("", why));
    CHECK_FALSE(check_genesis_timestamp("tab\there", why));
    CHECK_FALSE(check_genesis_timestamp("caf\xc3\xa9", why));
    CHECK_FALSE(check_genesis_timestamp(std::string(MAX_TIMESTAMP_BYTES + 1, 'x'), why));
}
