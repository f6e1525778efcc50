// The node in its own process (echo_node) under hostile peers (issue 15):
// it must not spin, must stay within its memory bound, must cut the offender
// off with a log line naming why, and must keep serving an honest peer.
#include "net_test_util.hpp"
#include "node_process.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>

using namespace chainkit::net;
using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;
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
TEST_CASE("a node out of file descriptors backs off, logs once, and accepts again", "[net][bounds][process]") {
    NodeProcess node(
        {"spare_fds=4", "handshake_timeout_ms=60000", "max_connections_per_ip=1000", "max_pending_handshakes=1000"});
    REQUIRE(node.address());
    asio::io_context io;
    std::vector<tcp::socket> held;
    for (int i = 0; i < 32 && node.count("accept failed") == 0; ++i) {
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

    // Descriptors free up: the node's handshakes see EOF. Its next accept
    // (within one back-off step) admits the honest peer.
    held.clear();
    run_test(io, [&]() -> asio::awaitable<void> {
        Host me(io.get_executor(), Identity::from_seed(950));
        const bool echoed = co_await honest_echo(me, *node.address(), 64 * 1024);
        CHECK(echoed);
        me.stop();
    });
    CHECK(node.wait_for("accepting again", milliseconds(5000)));
    INFO("node CPU during the EMFILE window: " << cpu.count() << " ms of 2000");
}
