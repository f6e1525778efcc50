// Three pulse_p2p processes in a line A <- B <- C on loopback (label
// integration): a BPM typed into A reaches C, one typed into C reaches A, and
// all three end with the same chain. Exercises examples/pulse_p2p end to end.
#include "child_process.hpp"

#include <catch2/catch.hpp>

#include <string>

using chainkit::test::Child;
using namespace std::chrono_literals;

namespace {

// Generous: the processes run under ASan on a loaded 2-core CI machine.
constexpr auto WAIT = 60s;

std::vector<std::string> pulse_args(std::string seed, std::optional<std::string> dial = std::nullopt) {
    std::vector<std::string> a{PULSE_P2P_EXE, "-l", "0", "--seed", std::move(seed), "--interval", "1s"};
    if (dial) {
        a.push_back("-d");
        a.push_back(*dial);
    }
    return a;
}

// "I am /ip4/127.0.0.1/tcp/P/p2p/ID" -> the address.
std::string address_of(Child& c) {
    auto addr = c.wait_after("I am ", WAIT);
    INFO(c.transcript());
    REQUIRE(addr);
    return *addr;
}

// "added block: 2 blocks, tip H" -> "2 blocks, tip H".
std::string summary_of(const std::string& line) {
    return line.substr(line.find(": ") + 2);
}

}  // namespace

TEST_CASE("line of three: blocks travel both ways and all agree", "[pulse][integration]") {
    Child a(pulse_args("101"));
    std::string addr_a = address_of(a);
    Child b(pulse_args("102", addr_a));
    std::string addr_b = address_of(b);
    Child c(pulse_args("103", addr_b));
    address_of(c);
    // The join hint carries the exact next command.
    CHECK(a.wait_contains("Now run \"", WAIT)->find(" -d " + addr_a) != std::string::npos);

    a.write_line("72");
    auto added_a = a.wait_prefix("added block: 2 blocks, tip ", WAIT);
    INFO(a.transcript());
    REQUIRE(added_a);
    std::string two = summary_of(*added_a);
    auto at_c = c.wait_line(
        [&](const std::string& l) {
            return l.rfind("adopted chain from ", 0) == 0 && l.find(two) != std::string::npos;
        },
        WAIT);
    INFO(c.transcript());
    REQUIRE(at_c);

    c.write_line("80");
    auto added_c = c.wait_prefix("added block: 3 blocks, tip ", WAIT);
    REQUIRE(added_c);
    std::string three = summary_of(*added_c);
    auto at_a = a.wait_line([&](const std::string& l) { return l.find(three) != std::string::npos; }, WAIT);
    INFO(b.transcript());
    REQUIRE(at_a);
    CHECK(b.wait_line([&](const std::string& l) { return l.find(three) != std::string::npos; }, WAIT));

    // Anything but an in-range integer gets a one-line error and no block.
    std::size_t seen = b.lines().size();
    b.write_line("seventy");
    b.write_line("0");
    CHECK(b.wait_stderr("error: 'seventy' is not an integer", WAIT));
    CHECK(b.wait_stderr("error: BPM 0 is out of range", WAIT));
    CHECK_FALSE(b.wait_prefix("added block", 2s, seen));
    // Ctrl-C/SIGTERM ends each one cleanly (exit 0, no sanitizer report).
    CHECK(c.stop_cleanly());
    CHECK(b.stop_cleanly());
    CHECK(a.stop_cleanly());
}
