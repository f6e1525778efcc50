// The node in its own process (echo_node) under hostile peers (issue 15):
// it must not spin, must stay within its memory bound, must cut the offender
// off with a log line naming why, and must keep serving an honest peer.
#include "hostile_peer.hpp"
#include "net_test_util.hpp"
#include "node_process.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>

using namespace chainkit::net;
using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;
using chainkit::net::test::AttackState;
using chainkit::net::test::NodeProcess;
using chainkit::net::test::run_test;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t MiB = 1 << 20;

tcp::endpoint endpoint_of(const Multiaddr& a) {
    return {asio::ip::make_address(a.host()), a.port()};
}

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    std::uint32_t x = 777;
    for (auto& b : v) b = static_cast<std::uint8_t>((x = x * 1103515245 + 12345) >> 16);
    return v;
}

// Dials the node, echoes `n` bytes through /chainkit/echo/1.0.0; true if
// every byte came back.
asio::awaitable<bool> honest_echo(Host& me, const Multiaddr& node, std::size_t n) {
    auto peer = co_await me.dial(node);
    if (!peer) co_return false;
    auto s = co_await me.open_stream(*peer, "/chainkit/echo/1.0.0");
    if (!s) co_return false;
    const auto data = pattern(n);
    std::vector<std::uint8_t> got;
    bool wrote = false;
    auto writer = [&]() -> asio::awaitable<void> {
        wrote = co_await (*s)->write(data) && co_await (*s)->close_write();
    };
    auto reader = [&]() -> asio::awaitable<void> {
        std::vector<std::uint8_t> buf(65536);
        while (auto r = co_await (*s)->read_some(buf))
            got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
    };
    co_await (writer() && reader());
    co_return wrote&& got == data;
}

}  // namespace

// EMFILE on accept persists until a descriptor closes: retrying at once spun
// a core and logged every attempt. The node gets 4 spare descriptors; sockets
// that never handshake take them (the per-address and pending limits raised
// out of the way).
// Under asan-ubsan the node is built without UBSan's vptr check
// (tests/net/CMakeLists.txt): out of descriptors, that check cannot probe a
// vtable and reported sound objects as invalid (asio's cancellation handler,
// then its misc error category).
TEST_CASE("a node out of file descriptors backs off, logs once, and accepts again", "[net][bounds][process][emfile]") {
    NodeProcess node(
        {"spare_fds=4", "handshake_timeout_ms=60000", "max_connections_per_ip=1000", "max_pending_handshakes=1000"});
    REQUIRE(node.address());
    asio::io_context io;
    std::vector<tcp::socket> held;
    for (int i = 0; i < 64 && node.count("accept failed") == 0; ++i) {
        held.emplace_back(io).connect(endpoint_of(*node.address()));
        (void)node.wait_for("accept failed", milliseconds(200));
    }
    REQUIRE(node.count("accept failed") == 1);

    // A measurement window: a spinning accept loop would burn ~all of it.
    const auto cpu_before = node.cpu_time();
    node.pump(milliseconds(2000));
    const auto cpu = node.cpu_time() - cpu_before;
    CHECK(cpu < milliseconds(300));
    CHECK(node.count("accept failed") == 1);  // one line per episode

    held.clear();
    // Descriptors free up as the node sees each EOF; a dial that comes while
    // it is still out of them may be closed, so try until one gets through.
    bool echoed = false;
    run_test(io, [&]() -> asio::awaitable<void> {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (std::uint64_t seed = 950; !echoed && std::chrono::steady_clock::now() < deadline; ++seed) {
            Host me(io.get_executor(), Identity::from_seed(seed));
            echoed = co_await honest_echo(me, *node.address(), 64 * 1024);
            me.stop();
            if (!echoed) co_await chainkit::net::test::sleep_for(milliseconds(100));  // polls, one dial per 100 ms
        }
    });
    CHECK(echoed);
    const bool again = node.wait_for("accepting again", milliseconds(5000));
    if (!again)
        for (const auto& l : node.lines()) UNSCOPED_INFO(l);
    CHECK(again);
    INFO("node CPU during the EMFILE window: " << cpu.count() << " ms of 2000");
}

namespace {

// The node's limits in these tests: the defaults, but a 64 MiB host receive
// budget and short deadlines so that each attack ends within seconds. The
// handshake deadline leaves the honest peer's handshake room under ASan on a
// loaded machine (2 s timed it out in a CI run at load 16).
const std::vector<std::string> HOSTILE_NODE = {"max_host_receive_bytes=67108864", "handshake_timeout_ms=5000",
                                               "keepalive_ms=500", "ping_timeout_ms=1500",
                                               "message_stall_timeout_ms=2000"};
// What the node may hold past its idle RSS: the host receive budget, plus
// per-connection write queues, Noise buffers and coroutine frames.
constexpr std::size_t RSS_BOUND = 64 * MiB + 32 * MiB;

using Attack = std::function<asio::awaitable<void>(const Multiaddr&, AttackState&)>;

// Runs `attack` against a fresh node while an honest peer echoes 10 MiB;
// then waits for the node's log to name the cut-off (`why`). Returns what
// the attack saw.
AttackState under_attack(const char* name, const Attack& attack, const std::string& why) {
    NodeProcess node(HOSTILE_NODE);
    REQUIRE(node.address());
    node.pump(milliseconds(200));
    const auto idle = node.status_bytes("VmRSS");
    asio::io_context io;
    AttackState st;
    bool attack_done = false;
    bool echoed = false;
    run_test(
        io,
        [&]() -> asio::awaitable<void> {
            asio::co_spawn(io, attack(*node.address(), st), [&](std::exception_ptr) { attack_done = true; });
            Host me(io.get_executor(), Identity::from_seed(970));
            echoed = co_await honest_echo(me, *node.address(), 10 * MiB);
            const bool logged = co_await chainkit::net::test::wait_until(
                [&] {
                    node.pump(milliseconds(5));  // read_line needs a whole millisecond left to poll
                    return node.count(why) > 0;
                },
                milliseconds(15000));
            if (!logged)
                for (const auto& l : node.lines()) UNSCOPED_INFO(l);
            CHECK(logged);
            st.stop = true;
            co_await chainkit::net::test::wait_until([&] { return attack_done; }, milliseconds(10000));
            me.stop();
        },
        std::chrono::seconds(50));
    const auto peak = node.status_bytes("VmHWM");
    INFO(name << ": idle RSS " << idle / 1024 << " KiB, peak " << peak / 1024 << " KiB; " << st.note);
    CHECK(echoed);
    CHECK(attack_done);
    CHECK(peak <= idle + RSS_BOUND);
    // Figures for docs/reliability.md, printed so a run can be copied from.
    std::string line;
    for (const auto& l : node.lines())
        if (line.empty() && l.find(why) != std::string::npos) line = l;
    std::printf("hostile %-14s idle %6zu KiB  peak %6zu KiB  attacker sent %zu bytes  %s\n  node: %s\n", name,
                idle / 1024, peak / 1024, st.sent, st.note.c_str(), line.c_str());
    return st;
}

tcp::endpoint ep(const Multiaddr& a) {
    return endpoint_of(a);
}

// How the node's log names a peer (the attacks' identities are fixed seeds).
std::string peer_line(std::uint64_t seed, const char* what) {
    return "peer " + Identity::from_seed(seed).peer_id().to_string() + ": " + what;
}

}  // namespace

// Bounded before (an announced body allocates nothing) but held forever: the
// node now drops a connection whose streams all stall mid-message.
TEST_CASE("hostile peer: the most streams, each announcing the largest message", "[net][bounds][process]") {
    const auto seen = under_attack(
        "many-streams",
        [](const Multiaddr& a, AttackState& st) { return chainkit::net::test::many_streams_attack(a, 256, st); },
        peer_line(960, "dropping connection: its streams stalled mid-message"));
    CHECK(seen.cut_off);
}

TEST_CASE("hostile peer: slowloris, one byte every 400 ms", "[net][bounds][process]") {
    under_attack(
        "slowloris",
        [](const Multiaddr& a, AttackState& st) { return chainkit::net::test::slowloris_attack(ep(a), 400, st); },
        "inbound handshake from /ip4/127.0.0.2");
}

TEST_CASE("hostile peer: connections from one address until refused", "[net][bounds][process]") {
    under_attack(
        "one-address",
        [](const Multiaddr& a, AttackState& st) { return chainkit::net::test::one_address_attack(ep(a), 12, st); },
        "connections from this address (limit)");
}

TEST_CASE("hostile peer: handshakes never completed", "[net][bounds][process]") {
    under_attack(
        "no-handshake",
        [](const Multiaddr& a, AttackState& st) { return chainkit::net::test::no_handshake_attack(ep(a), 8, st); },
        "inbound handshake from /ip4/127.0.0.4");
}

TEST_CASE("hostile peer: ping flood", "[net][bounds][process]") {
    under_attack(
        "ping-flood",
        [](const Multiaddr& a, AttackState& st) { return chainkit::net::test::ping_flood_attack(ep(a), st); },
        peer_line(961, "dropping connection"));
}

TEST_CASE("hostile peer: reads nothing until its windows fill", "[net][bounds][process]") {
    under_attack(
        "not-reading",  // 80 x 256 KiB: more than the 16 MiB connection budget
        [](const Multiaddr& a, AttackState& st) { return chainkit::net::test::not_reading_attack(ep(a), 80, st); },
        peer_line(962, "dropping connection"));
}
