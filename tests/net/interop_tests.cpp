// Interop with a real js-libp2p 3.2.0 peer (tests/interop/js_peer.mjs):
// js dials us and we dial js; 10 MiB echoed with checksums; ping both ways.
// Needs Node.js; the CTest fixture runs tests/interop/setup.sh first.
#include "child_process.hpp"
#include "net_test_util.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>
#include <sodium.h>

#include <chainkit/chain/sha256.hpp>
#include <chainkit/net/host.hpp>
#include <optional>
#include <sstream>
#include <thread>

using namespace chainkit::net;
using namespace asio::experimental::awaitable_operators;
using chainkit::net::test::ChildProcess;
using std::chrono::milliseconds;

namespace {
const std::string ECHO = "/chainkit/echo/1.0.0";
const std::string INTEROP_DIR = std::string(CHAINKIT_SOURCE_DIR) + "/tests/interop";
constexpr std::size_t TEN_MIB = 10 << 20;

// Incremental SHA-256 printed as js prints it (digest bytes in order, hex).
struct Sha256 {
    void update(std::span<const std::uint8_t> b) { h.write(b); }
    std::string hex_digest() { return h.finalize().hex(); }
    chainkit::chain::Sha256 h;
};

// Reads js_peer's "LISTEN <multiaddr>" line: the address to dial.
std::optional<Multiaddr> js_listen_address(ChildProcess& js) {
    auto line = js.read_line(milliseconds(30000));
    if (!line || line->rfind("LISTEN ", 0) != 0) return std::nullopt;
    auto addr = Multiaddr::parse(line->substr(7));
    if (!addr) return std::nullopt;
    return *addr;
}

std::unique_ptr<Host> make_host(asio::io_context& io, std::uint64_t seed) {
    return std::make_unique<Host>(io.get_executor(), Identity::from_seed(seed), HostConfig{});
}
}  // namespace

TEST_CASE("js-libp2p dials our host: 10 MiB echo and ping", "[interop]") {
    asio::io_context io;
    auto host = make_host(io, 501);
    std::size_t echoed = 0;
    Sha256 sha;
    host->set_handler(ECHO, [&](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        std::vector<std::uint8_t> buf(65536);
        for (;;) {
            auto n = co_await s->read_some(buf);
            if (!n) break;
            const auto chunk = std::span(buf).first(*n);
            sha.update(chunk);
            echoed += *n;
            if (!co_await s->write(chunk)) co_return;
        }
        (void)co_await s->close_write();
    });
    REQUIRE(host->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    const auto addr = host->listen_addresses().at(0).to_string();
    auto guard = asio::make_work_guard(io);
    std::thread net([&] { io.run(); });
    ChildProcess js(INTEROP_DIR, {"node", "js_peer.mjs", "dial", addr, "--bytes", std::to_string(TEN_MIB), "--ping"});
    REQUIRE(js.started());
    auto echo_line = js.read_line(milliseconds(90000));
    auto ping_line = js.read_line(milliseconds(30000));
    const int code = js.wait(milliseconds(30000));
    asio::post(io, [&] {
        host->stop();
        guard.reset();
    });
    net.join();
    REQUIRE(echo_line);
    INFO(*echo_line);
    std::istringstream in(*echo_line);
    std::string echo_word, ok_word, js_sha;
    std::size_t n = 0;
    in >> echo_word >> ok_word >> n >> js_sha;
    CHECK(echo_word == "ECHO");
    CHECK(ok_word == "OK");
    CHECK(n == TEN_MIB);
    CHECK(echoed == TEN_MIB);
    CHECK(js_sha == sha.hex_digest());
    REQUIRE(ping_line);
    CHECK(ping_line->rfind("PING OK", 0) == 0);
    CHECK(code == 0);
}

TEST_CASE("our host dials js-libp2p: 10 MiB echo and ping", "[interop]") {
    ChildProcess js(INTEROP_DIR, {"node", "js_peer.mjs", "listen", "--seed", "7"});
    REQUIRE(js.started());
    auto addr = js_listen_address(js);
    REQUIRE(addr);
    // Same seed rule on both sides: the printed id is ours for seed 7.
    CHECK(addr->peer() == Identity::from_seed(7).peer_id());
    asio::io_context io;
    auto host = make_host(io, 502);
    chainkit::net::test::run_test(
        io,
        [&]() -> asio::awaitable<void> {
            const auto target = *addr;
            auto peer = co_await host->dial(target);
            REQUIRE(peer);
            auto stream = co_await host->open_stream(*peer, ECHO);
            REQUIRE(stream);
            std::vector<std::uint8_t> data(TEN_MIB);
            randombytes_buf(data.data(), data.size());
            Sha256 sent, got;
            sent.update(data);
            std::size_t received = 0;
            auto writer = [&]() -> asio::awaitable<void> {
                auto w = co_await (*stream)->write(data);
                REQUIRE(w);
                auto c = co_await (*stream)->close_write();
                REQUIRE(c);
            };
            auto reader = [&]() -> asio::awaitable<void> {
                std::vector<std::uint8_t> buf(65536);
                for (;;) {
                    auto n = co_await (*stream)->read_some(buf);
                    if (!n) {
                        CHECK(n.error().code == make_error_code(errc::end_of_stream));
                        break;
                    }
                    got.update(std::span(buf).first(*n));
                    received += *n;
                }
            };
            co_await (writer() && reader());
            CHECK(received == TEN_MIB);
            CHECK(got.hex_digest() == sent.hex_digest());
            auto rtt = co_await host->ping(*peer);
            REQUIRE(rtt);
            host->stop();
        },
        std::chrono::seconds(120));
}

TEST_CASE("a connection to js-libp2p survives its periodic ping streams", "[interop]") {
    // js-libp2p's connection monitor opens /ipfs/ping/1.0.0 on every connection
    // every 10 s and drops the connection if that fails; we also ping it.
    ChildProcess js(INTEROP_DIR, {"node", "js_peer.mjs", "listen", "--seed", "8"});
    REQUIRE(js.started());
    auto addr = js_listen_address(js);
    REQUIRE(addr);
    asio::io_context io;
    auto host = make_host(io, 503);
    int closed = 0;
    host->on_connection_closed([&](const ConnectionInfo&) { ++closed; });
    chainkit::net::test::run_test(
        io,
        [&]() -> asio::awaitable<void> {
            const auto target = *addr;
            auto peer = co_await host->dial(target);
            REQUIRE(peer);
            co_await chainkit::net::test::sleep_for(milliseconds(23000));  // two js monitor rounds
            CHECK(host->is_connected(*peer));
            auto rtt = co_await host->ping(*peer);
            CHECK(rtt);
            host->stop();
        },
        std::chrono::seconds(60));
    CHECK(closed == 0);
}
