// Two hosts on loopback: upgrade, streams, flow control, half-close, reset,
// multistream "na", ping, peer id checks, line and message helpers.
#include "net_test_util.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>

using namespace chainkit::net;
using namespace asio::experimental::awaitable_operators;
using chainkit::net::test::run_test;

namespace {

const std::string ECHO = "/chainkit/echo/1.0.0";

asio::awaitable<void> echo(std::shared_ptr<Stream> s, PeerId) {
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
        auto n = co_await s->read_some(buf);
        if (!n) break;
        if (!co_await s->write(std::span(buf).first(*n))) co_return;
    }
    (void)co_await s->close_write();
}

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    std::uint32_t x = 12345;
    for (auto& b : v) b = static_cast<std::uint8_t>((x = x * 1103515245 + 12345) >> 16);
    return v;
}

struct Pair {
    explicit Pair(HostConfig cfg = {})
        : a(io.get_executor(), Identity::from_seed(101), cfg), b(io.get_executor(), Identity::from_seed(102), cfg) {
        b.set_handler(ECHO, echo);
        REQUIRE(b.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    }
    Multiaddr b_addr() const { return b.listen_addresses().at(0); }
    asio::io_context io;
    Host a;
    Host b;
};

// Writes `data` and reads the echo concurrently, then half-closes and expects EOF.
asio::awaitable<std::vector<std::uint8_t>> echo_through(Stream& s, const std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> got;
    auto writer = [&]() -> asio::awaitable<void> {
        auto v0 = co_await s.write(data);
        REQUIRE(v0);
        auto v1 = co_await s.close_write();
        REQUIRE(v1);
    };
    auto reader = [&]() -> asio::awaitable<void> {
        std::vector<std::uint8_t> buf(100000);
        for (;;) {
            auto n = co_await s.read_some(buf);
            if (!n) {
                CHECK(n.error().code == make_error_code(errc::end_of_stream));
                break;
            }
            got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        }
    };
    co_await (writer() && reader());
    co_return got;
}

}  // namespace

TEST_CASE("dial then echo 3 MiB past the yamux window with connection events", "[net][host]") {
    Pair p;
    int opened = 0;
    p.b.on_connection_opened([&](const ConnectionInfo& info) {
        ++opened;
        CHECK(info.direction == Direction::inbound);
        CHECK(info.peer == p.a.peer_id());
    });
    CHECK(p.b_addr().to_string().ends_with("/p2p/" + p.b.peer_id().to_string()));
    run_test(p.io, [&]() -> asio::awaitable<void> {
        auto peer = co_await p.a.dial(p.b_addr());
        REQUIRE(peer);
        CHECK(*peer == p.b.peer_id());
        auto s = co_await p.a.open_stream(*peer, ECHO);
        REQUIRE(s);
        CHECK((*s)->protocol() == ECHO);
        const auto data = pattern(3 << 20);
        auto got = co_await echo_through(**s, data);
        CHECK(got.size() == data.size());
        CHECK((got == data));
        CHECK(p.a.connection_count(Direction::outbound) == 1);
        CHECK(p.b.connection_count(Direction::inbound) == 1);
        CHECK(p.a.peer_store().addresses(*peer).size() == 1);
    });
    CHECK(opened == 1);
}

TEST_CASE("unsupported protocol gets na and reset and write-after-close are reported", "[net][host]") {
    Pair p;
    p.b.set_handler("/reset/1", [](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        s->reset();
        co_return;
    });
    run_test(p.io, [&]() -> asio::awaitable<void> {
        auto peer = co_await p.a.dial(p.b_addr());
        REQUIRE(peer);
        auto none = co_await p.a.open_stream(*peer, "/nobody/1.0.0");
        REQUIRE_FALSE(none);
        CHECK(none.error().code == make_error_code(errc::protocol_not_supported));
        auto r = co_await p.a.open_stream(*peer, "/reset/1");
        REQUIRE(r);
        std::array<std::uint8_t, 8> buf{};
        auto n = co_await (*r)->read_some(buf);
        REQUIRE_FALSE(n);
        CHECK(n.error().code == make_error_code(errc::stream_reset));
        auto e = co_await p.a.open_stream(*peer, ECHO);
        REQUIRE(e);
        auto v2 = co_await (*e)->close_write();
        REQUIRE(v2);
        auto w = co_await (*e)->write(buf);
        CHECK(w.error().code == make_error_code(errc::stream_closed));
        auto eof = co_await (*e)->read_some(buf);
        CHECK(eof.error().code == make_error_code(errc::end_of_stream));
    });
}

TEST_CASE("dialing with the wrong /p2p/ id drops the connection", "[net][host]") {
    Pair p;
    run_test(p.io, [&]() -> asio::awaitable<void> {
        auto wrong = p.b_addr().with_peer(Identity::from_seed(999).peer_id());
        auto r = co_await p.a.dial(wrong);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == make_error_code(errc::peer_id_mismatch));
        CHECK_FALSE(p.a.is_connected(p.b.peer_id()));
        CHECK(p.a.connection_count(Direction::outbound) == 0);
    });
}

TEST_CASE("ping both ways and open_stream dials from the peer store", "[net][host]") {
    Pair p;
    REQUIRE(p.a.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    run_test(p.io, [&]() -> asio::awaitable<void> {
        p.a.peer_store().add_address(p.b.peer_id(), p.b_addr());
        auto s = co_await p.a.open_stream(p.b.peer_id(), ECHO);  // not connected yet
        REQUIRE(s);
        auto rtt = co_await p.a.ping(p.b.peer_id());
        REQUIRE(rtt);
        auto back = co_await p.b.ping(p.a.peer_id());
        REQUIRE(back);
        auto closed = false;
        p.a.on_connection_closed([&](const ConnectionInfo&) { closed = true; });
        p.a.disconnect(p.b.peer_id());
        co_await chainkit::net::test::sleep_for(std::chrono::milliseconds(50));
        CHECK(closed);
        std::array<std::uint8_t, 4> buf{};
        auto v3 = co_await (*s)->write(buf);
        CHECK_FALSE(v3);
    });
}

TEST_CASE("line reader and message helper enforce their bounds", "[net][host]") {
    Pair p;
    p.b.set_handler("/lines/1", [](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        const std::string text = "{\"a\":1}\nshort\n" + std::string(100, 'x') + "\n";
        (void)co_await s->write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
        (void)co_await s->close_write();
        std::array<std::uint8_t, 1> b{};
        (void)co_await s->read_some(b);
    });
    p.b.set_handler("/msg/1", [](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        (void)co_await s->write_message(std::vector<std::uint8_t>(10, 7));
        (void)co_await s->write_message(std::vector<std::uint8_t>(5000, 7));
        std::array<std::uint8_t, 1> b{};
        (void)co_await s->read_some(b);
    });
    // Both sides of write_message's copy threshold (4 KiB), with distinct bytes.
    auto pattern = [](std::size_t n) {
        std::vector<std::uint8_t> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 31 + n);
        return v;
    };
    p.b.set_handler("/msg/2", [&](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        (void)co_await s->write_message(pattern(4095));
        (void)co_await s->write_message(pattern(70000));
        std::array<std::uint8_t, 1> b{};
        (void)co_await s->read_some(b);
    });
    run_test(p.io, [&]() -> asio::awaitable<void> {
        auto peer = co_await p.a.dial(p.b_addr());
        REQUIRE(peer);
        auto big_ok = co_await p.a.open_stream(*peer, "/msg/2");
        REQUIRE(big_ok);
        auto m1 = co_await (*big_ok)->read_message(100000);
        auto m2 = co_await (*big_ok)->read_message(100000);
        REQUIRE(m1);
        REQUIRE(m2);
        CHECK(*m1 == pattern(4095));
        CHECK(*m2 == pattern(70000));
        auto l = co_await p.a.open_stream(*peer, "/lines/1");
        REQUIRE(l);
        auto v4 = co_await (*l)->read_line(16);
        CHECK(*v4 == "{\"a\":1}");
        auto v5 = co_await (*l)->read_line(5);
        CHECK(*v5 == "short");  // exactly at the bound
        auto big = co_await (*l)->read_line(16);
        REQUIRE_FALSE(big);
        CHECK(big.error().code == make_error_code(errc::line_too_long));
        auto m = co_await p.a.open_stream(*peer, "/msg/1");
        REQUIRE(m);
        auto first = co_await (*m)->read_message(1024);
        REQUIRE(first);
        CHECK(first->size() == 10);
        auto second = co_await (*m)->read_message(1024);
        REQUIRE_FALSE(second);
        CHECK(second.error().code == make_error_code(errc::message_too_large));
        std::array<std::uint8_t, 1> b{};
        auto v6 = co_await (*m)->read_some(b);
        CHECK(v6.error().code == make_error_code(errc::stream_reset));
    });
}

TEST_CASE("a host listening on 0.0.0.0 announces its interface addresses, which dial", "[net][host]") {
    asio::io_context io;
    Host server(io.get_executor(), Identity::from_seed(120), HostConfig{});
    Host client(io.get_executor(), Identity::from_seed(121), HostConfig{});
    REQUIRE(server.listen(*Multiaddr::parse("/ip4/0.0.0.0/tcp/0")));
    const auto addrs = server.listen_addresses();
    REQUIRE_FALSE(addrs.empty());
    std::optional<Multiaddr> loopback;
    for (const auto& a : addrs) {
        CHECK(a.host() != "0.0.0.0");
        CHECK(a.port() == addrs.front().port());
        CHECK(a.to_string().ends_with("/p2p/" + server.peer_id().to_string()));
        if (a.host() == "127.0.0.1") loopback = a;
    }
    REQUIRE(loopback);
    run_test(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await client.dial(*loopback);
        REQUIRE(peer);
        CHECK(*peer == server.peer_id());
        client.stop();
        server.stop();
    });
}
