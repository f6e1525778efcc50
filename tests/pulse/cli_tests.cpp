// pulse_p2p's command line (examples/pulse_p2p/src/main.cpp), run as a
// process (label integration): argument errors are one line and a non-zero
// exit; the go-style flags and the join hint work.
#include "child_process.hpp"
#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>

using chainkit::test::Child;
using namespace std::chrono_literals;

namespace {

constexpr auto WAIT = 60s;

int count_lines(const std::string& s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

std::string fmt_last_bad(int lines) {
    return "error: 'bad" + std::to_string(lines - 1) + "' is not an integer";
}

}  // namespace

TEST_CASE("argument errors are one line on stderr and a non-zero exit", "[pulse][cli][integration]") {
    struct Case {
        std::vector<std::string> args;
        std::string says;
    };
    std::vector<Case> cases{
        {{"-d", "/ip4/127.0.0.1/tcp/1/p2p/x"}, "-l"},
        {{"-l", "0", "-d", "/ip4/1.2.3/tcp/1"}, "bad -d address: /ip4/1.2.3/tcp/1: invalid IPv4 address '1.2.3'"},
        {{"-l", "0", "--interval", "5"}, "'5' needs a unit"},
        {{"-l", "0", "-genesis-timestamp", ""}, "genesis timestamp must be 1 to"},
        {{"-l", "70000"}, "-l"},
    };
    for (auto& c : cases) {
        std::vector<std::string> argv{PULSE_P2P_EXE};
        argv.insert(argv.end(), c.args.begin(), c.args.end());
        Child p(argv);
        int code = p.wait_exit(WAIT);
        INFO(p.transcript());
        CHECK(code > 0);
        std::string err = p.stderr_text();
        CHECK(err.find(c.says) != std::string::npos);
        CHECK(count_lines(err) <= 2);  // CLI11 may add "Run with --help for more information."
        CHECK(p.lines().empty());
    }
}

TEST_CASE("go-style flags and the join hint", "[pulse][cli][integration]") {
    Child p({PULSE_P2P_EXE, "-l", "0", "-secio", "-seed", "7", "-genesis-timestamp", "my genesis"});
    auto me = p.wait_prefix("I am /ip4/127.0.0.1/tcp/", WAIT);
    INFO(p.transcript());
    REQUIRE(me);
    auto hint = p.wait_prefix("Now run \"", WAIT);
    REQUIRE(hint);
    CHECK(hint->find(" -d " + me->substr(5) + " --genesis-timestamp 'my genesis' -secio\" on a different terminal") !=
          std::string::npos);
    CHECK(p.wait_stderr("always encrypted with Noise", WAIT));
    // The genesis carries the given timestamp and the original's quirk hash.
    CHECK(p.wait_contains("Timestamp: (string) (len=10) \"my genesis\"", WAIT));
    CHECK(p.wait_contains("f1534392279bddbf9d43dde8701cb5be14b82f76ec6607bf8d6ad557f60f304e", WAIT));

    // --seed is deterministic: the same seed gives the same peer id.
    Child q({PULSE_P2P_EXE, "-l", "0", "--seed", "7"});
    auto me2 = q.wait_prefix("I am ", WAIT);
    REQUIRE(me2);
    CHECK(me2->substr(me2->find("/p2p/")) == me->substr(me->find("/p2p/")));

    // Overlong stdin lines are refused without a block.
    p.write_line(std::string(5000, '7'));
    CHECK(p.wait_stderr("error: line too long", WAIT));
    CHECK(p.stop_cleanly());
    CHECK(q.stop_cleanly());
}

TEST_CASE("stdin from a regular file is read to its end, line by line", "[pulse][cli][integration]") {
    // A file is not pollable: the fallback reader thread hands it over one
    // chunk at a time. Enough lines for many chunks, an overlong line, and a
    // last line without '\n'.
    chainkit::test::ScratchDir dir("pulse-stdin");
    const auto path = (dir / "bpm.txt").string();
    constexpr int LINES = 3000;  // ~12 KiB: three chunks
    {
        std::ofstream f(path);
        for (int i = 0; i < LINES; ++i) f << "bad" << i << "\n";
        f << std::string(5000, '7') << "\n70\n71";
    }
    Child p({PULSE_P2P_EXE, "-l", "0"}, path);
    auto added = p.wait_prefix("added block: 3 blocks, tip ", WAIT);
    INFO(p.transcript());
    REQUIRE(added);
    CHECK(p.wait_stderr("stdin closed; still serving peers", WAIT));
    const std::string err = p.stderr_text();
    CHECK(err.find("error: 'bad0' is not an integer") != std::string::npos);
    CHECK(err.find(fmt_last_bad(LINES)) != std::string::npos);
    CHECK(err.find("error: line too long") != std::string::npos);
    CHECK(p.stop_cleanly());
}
