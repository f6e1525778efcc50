// Admission of inbound connections (issue 15): one address cannot take every
// slot, sockets that never finish a handshake are bounded, and a full host
// evicts its least useful inbound peer instead of refusing newcomers.
#include "log_capture.hpp"
#include "net_test_util.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>

using namespace chainkit::net;
using asio::ip::tcp;
using chainkit::net::test::run_test;
using chainkit::net::test::wait_until;
using std::chrono::milliseconds;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

asio::awaitable<tcp::socket> connect_raw(const tcp::endpoint& ep) {
    tcp::socket s(co_await asio::this_coro::executor);
    auto [ec] = co_await s.async_connect(ep, use_tuple);
    REQUIRE_FALSE(ec);
    co_return s;
}

// True once the host closes `s` (it never sends a byte first: we are the dialer).
asio::awaitable<bool> closed_by_host(tcp::socket& s, milliseconds limit) {
    bool closed = false;
    auto probe = [&]() -> asio::awaitable<void> {
        std::array<std::uint8_t, 1> b{};
        auto [ec, n] = co_await s.async_read_some(asio::buffer(b), use_tuple);
        closed = static_cast<bool>(ec);
    };
    asio::co_spawn(co_await asio::this_coro::executor, probe(), asio::detached);
    co_return co_await wait_until([&] { return closed; }, limit);
}

tcp::endpoint endpoint_of(const Host& h) {
    return {asio::ip::make_address("127.0.0.1"), h.listen_addresses().at(0).port()};
}
}  // namespace

TEST_CASE("connections per IP and pending handshakes are limited", "[net][limits][bounds]") {
    for (const bool per_ip : {true, false}) {
        asio::io_context io;
        HostConfig cfg;
        cfg.handshake_timeout = std::chrono::seconds(20);  // far beyond the test: only the limit can close
        cfg.max_connections_per_ip = per_ip ? 2 : 100;
        cfg.max_pending_handshakes = per_ip ? 100 : 2;
        Host srv(io.get_executor(), Identity::from_seed(501), cfg);
        REQUIRE(srv.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
        run_test(io, [&]() -> asio::awaitable<void> {
            auto a = co_await connect_raw(endpoint_of(srv));
            auto b = co_await connect_raw(endpoint_of(srv));
            const bool both =
                co_await wait_until([&] { return srv.connection_count(Direction::inbound) == 2; }, milliseconds(5000));
            REQUIRE(both);
            auto c = co_await connect_raw(endpoint_of(srv));
            const bool refused = co_await closed_by_host(c, milliseconds(5000));
            CHECK(refused);
            CHECK(srv.connection_count(Direction::inbound) == 2);
        });
        srv.stop();
    }
}

TEST_CASE("a full host evicts the youngest inbound peer of the busiest address", "[net][limits][bounds]") {
    asio::io_context io;
    HostConfig cfg;
    cfg.max_inbound_connections = 2;
    Host srv(io.get_executor(), Identity::from_seed(502), cfg);
    REQUIRE(srv.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    run_test(io, [&]() -> asio::awaitable<void> {
        Host a(io.get_executor(), Identity::from_seed(503));
        Host b(io.get_executor(), Identity::from_seed(504));
        Host c(io.get_executor(), Identity::from_seed(505));
        auto ra = co_await a.dial(srv.listen_addresses().at(0));
        REQUIRE(ra);
        auto rb = co_await b.dial(srv.listen_addresses().at(0));
        REQUIRE(rb);
        auto rc = co_await c.dial(srv.listen_addresses().at(0));
        REQUIRE(rc);  // admitted: b (youngest on the busiest address) makes room
        const bool evicted = co_await wait_until(
            [&] {
                return !srv.is_connected(b.peer_id()) && srv.is_connected(c.peer_id()) &&
                       srv.connection_count(Direction::inbound) == 2;
            },
            milliseconds(5000));
        CHECK(evicted);
        CHECK(srv.is_connected(a.peer_id()));  // the longest-connected peer is protected
        CHECK(srv.is_connected(c.peer_id()));
        auto ping = co_await c.ping(srv.peer_id());
        CHECK(ping);
        a.stop();
        b.stop();
        c.stop();
    });
}

// A connection callback that throws ran inside the accept loop (eviction
// closes a connection, whose on_close ran there): the exception ended the
// loop and the host never accepted again. Every throw must be logged and
// must leave the slots counted right.
TEST_CASE("throwing connection callbacks are logged and the host keeps admitting up to its limit",
          "[net][limits][bounds]") {
    chainkit::net::test::LogCapture logged;
    asio::io_context io;
    HostConfig cfg;
    cfg.max_inbound_connections = 2;
    Host srv(io.get_executor(), Identity::from_seed(506), cfg);
    int opened = 0;
    int closed = 0;
    srv.on_connection_opened([&](const ConnectionInfo&) {
        ++opened;
        throw std::runtime_error("open callback boom");
    });
    srv.on_connection_closed([&](const ConnectionInfo&) {
        ++closed;
        throw std::runtime_error("close callback boom");
    });
    REQUIRE(srv.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    HostConfig quick;
    quick.handshake_timeout = std::chrono::seconds(3);  // a dead accept loop fails the dial, not the suite
    run_test(io, [&]() -> asio::awaitable<void> {
        std::vector<std::unique_ptr<Host>> peers;
        for (int i = 0; i < 4; ++i) {
            peers.push_back(std::make_unique<Host>(io.get_executor(), Identity::from_seed(510 + i), quick));
            auto r = co_await peers.back()->dial(srv.listen_addresses().at(0));
            REQUIRE(r);  // the third and fourth evict someone, whose on_close throws
            const auto& me = *peers.back();
            const bool in = co_await wait_until([&] { return srv.is_connected(me.peer_id()); }, milliseconds(5000));
            REQUIRE(in);
            auto ping = co_await peers.back()->ping(srv.peer_id());
            CHECK(ping);
        }
        CHECK(srv.connection_count(Direction::inbound) == 2);
        for (auto& p : peers) p->stop();
        const bool drained =
            co_await wait_until([&] { return srv.connection_count(Direction::inbound) == 0; }, milliseconds(5000));
        CHECK(drained);
    });
    CHECK(opened == 4);
    CHECK(closed == 4);
    CHECK(logged.count("open callback boom") == 4);
    CHECK(logged.count("close callback boom") == 4);
}
