// Covers examples/pulse_p2p/src/chain_print.cpp.
#include <catch2/catch.hpp>

#include <chainkit/pulse/chain_print.hpp>

using namespace chainkit::pulse;

TEST_CASE("chain dump is plain without color and colored with it", "[pulse][print]") {
    std::vector<Block> c{make_genesis("T0")};
    c.push_back(generate_block(c.back(), 72, "T1"));
    std::string plain = format_chain(c, false);
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK(plain.rfind("([]Block) (len=2) {\n", 0) == 0);
    CHECK(plain.find("  BPM: (int) 72,\n") != std::string::npos);
    CHECK(plain.find("  Hash: (string) (len=64) \"" + c[1].hash + "\",\n") != std::string::npos);
    CHECK(plain.find("  PrevHash: (string) (len=0) \"\"\n }") != std::string::npos);
    std::string colored = format_chain(c, true);
    CHECK(colored.find("\x1b[") != std::string::npos);
    CHECK(colored.find(c[1].hash) != std::string::npos);
}

TEST_CASE("summary names the length and the full tip hash", "[pulse][print]") {
    std::vector<Block> c{make_genesis("T0")};
    CHECK(format_summary(c) == "1 block, tip " + c[0].hash);
    c.push_back(generate_block(c.back(), 72, "T1"));
    CHECK(format_summary(c) == "2 blocks, tip " + c[1].hash);
    CHECK(format_summary({}) == "0 blocks");
}

TEST_CASE("timestamps print as go's time.Time.String in UTC", "[pulse][print]") {
    using namespace std::chrono;
    // 1516579200 = 2018-01-22T00:00:00Z (date -u -d @1516579200).
    system_clock::time_point t{seconds{1516579200}};
    CHECK(format_go_time(t) == "2018-01-22 00:00:00 +0000 UTC");
    CHECK(format_go_time(t + milliseconds{500}) == "2018-01-22 00:00:00.5 +0000 UTC");
    CHECK(format_go_time(t + seconds{3661} + microseconds{1230}) == "2018-01-22 01:01:01.00123 +0000 UTC");
}
