// pulse_p2p against a js-libp2p peer running the original tutorial's logic
// (tests/interop/pulse_peer.mjs; label interop): pulse_p2p dials it and is
// dialed by it, blocks added on either side reach the other, and malformed
// or forged lines from the js peer do not stop pulse_p2p.
#include "child_process.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

using chainkit::test::Child;
using namespace std::chrono_literals;

namespace {

constexpr auto WAIT = 60s;
const std::string INTEROP_DIR = std::string(CHAINKIT_SOURCE_DIR) + "/tests/interop";

void require_js_setup() {
    // Idempotent: installs the pinned node_modules if missing.
    int rc = std::system(("sh " + INTEROP_DIR + "/setup.sh").c_str());
    REQUIRE(rc == 0);
}

std::vector<std::string> js_args(std::vector<std::string> extra) {
    std::vector<std::string> a{"node", INTEROP_DIR + "/pulse_peer.mjs", "--interval-ms", "1000"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

std::vector<std::string> pulse_args(std::vector<std::string> extra) {
    std::vector<std::string> a{PULSE_P2P_EXE, "-l", "0", "--interval", "1s"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

}  // namespace

TEST_CASE("pulse_p2p dials a js-libp2p original-logic peer", "[pulse][interop]") {
    require_js_setup();
    Child js(js_args({"--seed", "201"}));
    auto listen = js.wait_after("LISTEN ", WAIT);
    INFO(js.transcript());
    REQUIRE(listen);
    Child pulse(pulse_args({"--seed", "202", "-d", *listen}));
    REQUIRE(js.wait_prefix("STREAM ", WAIT));

    pulse.write_line("72");
    auto tip = pulse.wait_after("added block: 2 blocks, tip ", WAIT);
    INFO(pulse.transcript());
    REQUIRE(tip);
    REQUIRE(js.wait_line([&](const std::string& l) { return l == "CHAIN 2 " + *tip + " adopted"; }, WAIT));

    js.write_line("65");
    auto js_added = js.wait_prefix("CHAIN 3 ", WAIT);
    REQUIRE(js_added);
    std::string js_tip = js_added->substr(8, 64);
    REQUIRE(pulse.wait_contains("3 blocks, tip " + js_tip, WAIT));

    // Faults from the js peer are logged and dropped; pulse_p2p keeps going.
    js.write_line("bad");
    CHECK(pulse.wait_stderr("malformed_json", WAIT));
    js.write_line("forged");
    CHECK(pulse.wait_stderr("bad_hash", WAIT));
    CHECK(pulse.running());
    pulse.write_line("90");
    auto four = pulse.wait_after("added block: 4 blocks, tip ", WAIT);
    REQUIRE(four);
    CHECK(js.wait_line([&](const std::string& l) { return l == "CHAIN 4 " + *four + " adopted"; }, WAIT));
    CHECK(pulse.stop_cleanly());
}

TEST_CASE("a js-libp2p original-logic peer dials pulse_p2p", "[pulse][interop]") {
    require_js_setup();
    Child pulse(pulse_args({"--seed", "203"}));
    auto me = pulse.wait_after("I am ", WAIT);
    INFO(pulse.transcript());
    REQUIRE(me);
    pulse.write_line("100");
    auto tip = pulse.wait_after("added block: 2 blocks, tip ", WAIT);
    REQUIRE(tip);

    Child js(js_args({"--seed", "204", "--dial", *me}));
    INFO(js.transcript());
    // pulse_p2p writes its chain as soon as the stream opens.
    REQUIRE(js.wait_line([&](const std::string& l) { return l == "CHAIN 2 " + *tip + " adopted"; }, WAIT));
    js.write_line("55");
    auto js_added = js.wait_prefix("CHAIN 3 ", WAIT);
    REQUIRE(js_added);
    REQUIRE(pulse.wait_contains("3 blocks, tip " + js_added->substr(8, 64), WAIT));
    CHECK(pulse.stop_cleanly());
}

TEST_CASE("an original peer with its own time.Now genesis is refused, not fatal", "[pulse][interop]") {
    require_js_setup();
    Child pulse(pulse_args({"--seed", "205"}));
    auto me = pulse.wait_after("I am ", WAIT);
    INFO(pulse.transcript());
    REQUIRE(me);
    Child js(js_args({"--seed", "206", "--now-genesis", "--dial", *me}));
    REQUIRE(js.wait_prefix("STREAM ", WAIT));
    js.write_line("70");  // now longer than ours, from another root
    CHECK(pulse.wait_stderr("genesis_mismatch", WAIT));
    CHECK(pulse.running());
    pulse.write_line("71");
    CHECK(pulse.wait_prefix("added block: 2 blocks, tip ", WAIT));
    CHECK(pulse.stop_cleanly());
}
