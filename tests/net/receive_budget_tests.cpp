// Resource bounds on what peers can make the host hold (issue 15): message
// bodies are allocated as bytes arrive, receive budgets pause reading, and one
// address cannot take every inbound slot.
#include "log_capture.hpp"
#include "net_test_util.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>
#include <chainkit/net/varint.hpp>
#include <fstream>
#include <string>

using namespace chainkit::net;
using chainkit::net::test::run_test;
using chainkit::net::test::wait_until;
using std::chrono::milliseconds;

namespace {
constexpr std::size_t MiB = 1 << 20;

// Peak resident set of this process (VmHWM), in bytes.
std::size_t peak_rss() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
    return 0;
}

std::unique_ptr<Host> make_host(const asio::any_io_executor& ex, std::uint64_t seed, HostConfig cfg = {}) {
    return std::make_unique<Host>(ex, Identity::from_seed(seed), cfg);
}

asio::awaitable<void> write_one(std::shared_ptr<Stream> s, std::size_t n, int& done) {
    std::vector<std::uint8_t> data(n, 0x5a);
    if (co_await s->write(data)) ++done;
}
}  // namespace

TEST_CASE("read_message allocates as bytes arrive, not what the length claims", "[net][limits][bounds]") {
    asio::io_context io;
    auto srv = make_host(io.get_executor(), 401);
    bool finished = false;
    std::error_code why;
    srv->set_handler("/msg/1", [&](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        auto m = co_await s->read_message(std::size_t{2} << 30);
        if (!m) why = m.error().code;
        finished = true;
    });
    REQUIRE(srv->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    const auto before = peak_rss();
    run_test(io, [&]() -> asio::awaitable<void> {
        auto client = make_host(io.get_executor(), 402);
        auto peer = co_await client->dial(srv->listen_addresses().at(0));
        REQUIRE(peer);
        auto s = co_await client->open_stream(*peer, "/msg/1");
        REQUIRE(s);
        std::vector<std::uint8_t> out;
        append_uvarint(out, std::uint64_t{1} << 30);  // claims 1 GiB, sends 10 bytes
        out.resize(out.size() + 10, 0x11);
        auto w = co_await (*s)->write(out);
        REQUIRE(w);
        auto c = co_await (*s)->close_write();
        REQUIRE(c);
        const bool v = co_await wait_until([&] { return finished; }, milliseconds(10000));
        REQUIRE(v);
        client->stop();
    });
    CHECK(why == make_error_code(errc::end_of_stream));
    CHECK(peak_rss() < before + 256 * MiB);  // the claim alone would add 1 GiB
}

TEST_CASE("a connection over its receive budget stops reading until drained", "[net][limits][bounds]") {
    asio::io_context io;
    HostConfig cfg;
    cfg.max_connection_receive_bytes = 4 * MiB;
    auto srv = make_host(io.get_executor(), 403, cfg);
    bool drain = false;
    srv->set_handler("/hold-then-drain/1", [&](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        co_await wait_until([&] { return drain; }, milliseconds(30000));
        std::array<std::uint8_t, 16384> b{};
        while (co_await s->read_some(b)) {
        }
    });
    REQUIRE(srv->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    run_test(io, [&]() -> asio::awaitable<void> {
        auto client = make_host(io.get_executor(), 404);
        auto peer = co_await client->dial(srv->listen_addresses().at(0));
        REQUIRE(peer);
        constexpr int streams = 12;  // 12 windows of 1 MiB: three times the budget
        int written = 0;
        std::vector<std::shared_ptr<Stream>> open;
        for (int i = 0; i < streams; ++i) {  // all open before any data: negotiation needs reads
            auto s = co_await client->open_stream(*peer, "/hold-then-drain/1");
            REQUIRE(s);
            open.push_back(*s);
        }
        for (auto& s : open)  // negotiation used a little of each 1 MiB window
            asio::co_spawn(io, write_one(s, MiB - 4096, written), asio::detached);
        const bool settled = co_await wait_until(
            [&] { return written == streams || srv->receive_stats().paused_connections > 0; }, milliseconds(10000));
        REQUIRE(settled);
        CHECK(srv->receive_stats().paused_connections == 1);
        CHECK(srv->receive_stats().buffered_bytes <= 4 * MiB + 64 * 1024);  // at most one Noise frame over
        CHECK(written < streams);
        drain = true;  // the application reads again: everything flows
        const bool all = co_await wait_until([&] { return written == streams; }, milliseconds(10000));
        CHECK(all);
        for (auto& s : open) (void)co_await s->close_write();
        const bool empty = co_await wait_until(
            [&] { return srv->receive_stats().buffered_bytes == 0 && srv->receive_stats().paused_connections == 0; },
            milliseconds(10000));
        CHECK(empty);
        client->stop();
    });
}

// A handler that throws while its stream holds buffered bytes: the throw is
// logged, the stream reset, its bytes leave the budget and its stream slot is
// free again (more streams than the per-connection limit open in turn).
TEST_CASE("a throwing stream handler is logged and releases its stream and its buffered bytes",
          "[net][limits][bounds]") {
    chainkit::net::test::LogCapture logged;
    asio::io_context io;
    HostConfig cfg;
    cfg.max_streams_per_connection = 2;
    auto srv = make_host(io.get_executor(), 405, cfg);
    srv->set_handler("/throw/1", [&](std::shared_ptr<Stream>, PeerId) -> asio::awaitable<void> {
        co_await wait_until([&] { return srv->receive_stats().buffered_bytes >= 256 * 1024; }, milliseconds(10000));
        throw std::runtime_error("handler boom");
    });
    REQUIRE(srv->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    run_test(io, [&]() -> asio::awaitable<void> {
        auto client = make_host(io.get_executor(), 406);
        auto peer = co_await client->dial(srv->listen_addresses().at(0));
        REQUIRE(peer);
        int written = 0;  // writes fail once the stream is reset; only the server side is checked
        for (std::size_t i = 1; i <= 5; ++i) {
            auto s = co_await client->open_stream(*peer, "/throw/1");
            REQUIRE(s);  // the 3rd would be refused if a throw kept its stream open
            asio::co_spawn(io, write_one(*s, 512 * 1024, written), asio::detached);
            const bool released = co_await wait_until(
                [&] { return logged.count("handler boom") == i && srv->receive_stats().buffered_bytes == 0; },
                milliseconds(10000));
            REQUIRE(released);
        }
        CHECK(srv->is_connected(client->peer_id()));
        client->stop();
    });
}
