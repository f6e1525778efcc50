// Every limit on what a peer controls, exceeded, and the host's reaction:
// the offender is dropped (or its stream refused) and others are still served.
#include "deadline.hpp"
#include "multistream.hpp"
#include "net_test_util.hpp"
#include "upgrade.hpp"
#include "yamux_frame.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>
#include <random>

using namespace chainkit::net;
using namespace chainkit::net::detail;
using asio::ip::tcp;
using chainkit::net::test::run_test;
using chainkit::net::test::sleep_for;
using std::chrono::milliseconds;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

struct Server {
    explicit Server(HostConfig cfg) : host(io.get_executor(), Identity::from_seed(201), cfg) {
        host.set_handler("/hold/1", [](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
            std::array<std::uint8_t, 64> b{};
            while (co_await s->read_some(b)) {
            }
        });
        // Accepts and never reads: what a peer sends fills the window we granted.
        host.set_handler("/stall/1", [](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
            asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(30));
            co_await t.async_wait(use_tuple);
            s->reset();
        });
        // Keeps everything a stream brings until its end.
        host.set_handler("/collect/1", [this](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
            std::array<std::uint8_t, 4096> b{};
            while (auto n = co_await s->read_some(b)) collected.insert(collected.end(), b.begin(), b.begin() + *n);
            collected_all = true;
        });
        REQUIRE(host.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    }
    std::vector<std::uint8_t> collected;
    bool collected_all = false;
    tcp::endpoint endpoint() const {
        return {asio::ip::make_address("127.0.0.1"), host.listen_addresses().at(0).port()};
    }
    asio::io_context io;
    Host host;
};

// A plain function, so that no temporaries live in a coroutine frame
// (GCC 12 double-destroys non-trivial temporaries there).
std::unique_ptr<Host> make_host(const asio::any_io_executor& ex, std::uint64_t seed) {
    return std::make_unique<Host>(ex, Identity::from_seed(seed), HostConfig{});
}

asio::awaitable<tcp::socket> connect_raw(const tcp::endpoint& ep) {
    tcp::socket s(co_await asio::this_coro::executor);
    auto [ec] = co_await s.async_connect(ep, use_tuple);
    REQUIRE_FALSE(ec);
    co_return s;
}

// True if the peer closes the socket within `limit` (reads are discarded).
asio::awaitable<bool> closed_within(tcp::socket& s, milliseconds limit) {
    auto drain = [&]() -> asio::awaitable<bool> {
        std::array<std::uint8_t, 4096> b{};
        for (;;) {
            auto [ec, n] = co_await s.async_read_some(asio::buffer(b), use_tuple);
            if (ec) co_return true;
        }
    };
    co_return (co_await with_deadline(drain(), limit)).has_value();
}

asio::awaitable<bool> channel_closed_within(SecureChannel& ch, milliseconds limit) {
    auto drain = [&]() -> asio::awaitable<bool> {
        std::array<std::uint8_t, 1> b{};
        while (co_await ch.read_exact(b)) {
        }
        co_return true;
    };
    co_return (co_await with_deadline(drain(), limit)).has_value();
}

asio::awaitable<std::unique_ptr<SecureChannel>> raw_upgrade(const tcp::endpoint& ep, std::uint64_t seed) {
    auto s = co_await connect_raw(ep);
    const auto id = Identity::from_seed(seed);
    auto ch = co_await upgrade_connection(std::move(s), id, true);
    REQUIRE(ch);
    co_return std::move(*ch);
}

asio::awaitable<void> still_serving(Server& srv, std::uint64_t seed) {
    auto other = make_host(co_await asio::this_coro::executor, seed);
    auto peer = co_await other->dial(srv.host.listen_addresses().at(0));
    REQUIRE(peer);
    auto rtt = co_await other->ping(*peer);
    CHECK(rtt);
    other->stop();
}
}  // namespace

TEST_CASE("a silent peer is dropped at the handshake deadline", "[net][limits]") {
    HostConfig cfg;
    cfg.handshake_timeout = milliseconds(200);
    Server srv(cfg);
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto s = co_await connect_raw(srv.endpoint());
        co_await sleep_for(milliseconds(50));
        CHECK(srv.host.connection_count(Direction::inbound) == 1);  // handshaking counts
        auto v0 = co_await closed_within(s, milliseconds(3000));
        CHECK(v0);
        CHECK(srv.host.connection_count(Direction::inbound) == 0);
        co_await still_serving(srv, 301);
    });
}

TEST_CASE("an oversized Noise handshake frame is refused before it is read", "[net][limits]") {
    Server srv(HostConfig{});
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto s = co_await connect_raw(srv.endpoint());
        RawSocketIo raw(s);
        auto v1 = co_await ms_select(raw, NOISE_PROTOCOL);
        REQUIRE(v1);
        std::array<std::uint8_t, 2> len{0xff, 0xff};  // 65535 > NOISE_MAX_HANDSHAKE_MESSAGE
        co_await asio::async_write(s, asio::buffer(len), use_tuple);
        auto v2 = co_await closed_within(s, milliseconds(2000));
        CHECK(v2);  // far below the 10 s deadline
    });
}

TEST_CASE("inbound and outbound connection limits", "[net][limits]") {
    HostConfig cfg;
    cfg.max_inbound_connections = 1;
    cfg.max_outbound_connections = 0;
    Server srv(cfg);
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto first = make_host(srv.io.get_executor(), 302);
        auto second = make_host(srv.io.get_executor(), 303);
        auto v3 = co_await first->dial(srv.host.listen_addresses().at(0));
        REQUIRE(v3);
        auto refused = co_await second->dial(srv.host.listen_addresses().at(0));
        CHECK_FALSE(refused);
        CHECK(srv.host.connection_count(Direction::inbound) == 1);
        auto v4 = co_await first->ping(srv.host.peer_id());
        CHECK(v4);  // the admitted peer is unaffected
        const auto target = srv.host.listen_addresses().at(0).without_peer();
        auto out = co_await srv.host.dial(target);
        CHECK(out.error().code == make_error_code(errc::too_many_connections));
        first->stop();
        second->stop();
    });
}

TEST_CASE("streams past the per-connection limit are reset", "[net][limits]") {
    HostConfig cfg;
    cfg.max_streams_per_connection = 2;
    Server srv(cfg);
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto client = make_host(srv.io.get_executor(), 304);
        auto peer = co_await client->dial(srv.host.listen_addresses().at(0));
        REQUIRE(peer);
        auto s1 = co_await client->open_stream(*peer, "/hold/1");
        auto s2 = co_await client->open_stream(*peer, "/hold/1");
        REQUIRE(s1);
        REQUIRE(s2);
        auto s3 = co_await client->open_stream(*peer, "/hold/1");
        REQUIRE_FALSE(s3);
        CHECK(s3.error().code == make_error_code(errc::stream_reset));
        (*s1)->reset();  // frees a slot
        co_await sleep_for(milliseconds(50));
        auto v5 = co_await client->open_stream(*peer, "/hold/1");
        CHECK(v5);
        client->stop();
    });
}

TEST_CASE("a peer sending past the yamux window is dropped", "[net][limits]") {
    HostConfig cfg;
    cfg.stream_window = YAMUX_INITIAL_WINDOW;  // grant exactly the spec's 256 KiB
    Server srv(cfg);
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto ch = co_await raw_upgrade(srv.endpoint(), 305);
        // Open stream 1 on a protocol that never reads, then send 1 KiB more than
        // the 256 KiB initial window (the negotiation itself is read, and
        // returns less than half a window: no credit comes back for it).
        std::vector<std::uint8_t> negotiation;
        ms_append(negotiation, MULTISTREAM_HEADER);
        ms_append(negotiation, "/stall/1");
        std::vector<std::uint8_t> out;
        auto put = [&](const YamuxHeader& h) {
            auto b = h.encode();
            out.insert(out.end(), b.begin(), b.end());
        };
        put({YamuxType::window_update, yamux_flag::SYN, 1, 0});
        put({YamuxType::data, 0, 1, YAMUX_INITIAL_WINDOW});
        out.insert(out.end(), negotiation.begin(), negotiation.end());
        out.resize(out.size() + YAMUX_INITIAL_WINDOW - negotiation.size(), 0xab);
        put({YamuxType::data, 0, 1, 1024});
        out.resize(out.size() + 1024, 0xab);
        auto v6 = co_await ch->write_all(out);
        REQUIRE(v6);
        auto v7 = co_await channel_closed_within(*ch, milliseconds(3000));
        CHECK(v7);
        co_await still_serving(srv, 306);
    });
}

TEST_CASE("unanswered pings drop the connection and idle connections close", "[net][limits]") {
    HostConfig cfg;
    cfg.keepalive_interval = milliseconds(50);
    cfg.ping_timeout = milliseconds(200);
    Server srv(cfg);
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto ch = co_await raw_upgrade(srv.endpoint(), 307);  // reads pings, never answers
        auto v8 = co_await channel_closed_within(*ch, milliseconds(3000));
        CHECK(v8);
        CHECK(srv.host.connection_count(Direction::inbound) == 0);
    });

    HostConfig idle;
    idle.idle_timeout = milliseconds(150);
    Server srv2(idle);
    run_test(srv2.io, [&]() -> asio::awaitable<void> {
        auto client = make_host(srv2.io.get_executor(), 308);
        auto v9 = co_await client->dial(srv2.host.listen_addresses().at(0));
        REQUIRE(v9);
        co_await sleep_for(milliseconds(1000));
        CHECK(srv2.host.connection_count(Direction::inbound) == 0);
        CHECK_FALSE(client->is_connected(srv2.host.peer_id()));
        client->stop();
    });
}

TEST_CASE("a yamux data frame spanning several Noise frames arrives whole", "[net][yamux]") {
    Server srv(HostConfig{});
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto ch = co_await raw_upgrade(srv.endpoint(), 309);
        std::vector<std::uint8_t> body;
        ms_append(body, MULTISTREAM_HEADER);
        ms_append(body, "/collect/1");
        const auto negotiation = body.size();
        for (std::size_t i = 0; i < 150'000; ++i) body.push_back(static_cast<std::uint8_t>(i * 7 + i / 251));
        std::vector<std::uint8_t> out;
        for (const YamuxHeader& h :
             {YamuxHeader{YamuxType::window_update, yamux_flag::SYN, 1, 0},
              YamuxHeader{YamuxType::data, yamux_flag::FIN, 1, static_cast<std::uint32_t>(body.size())}}) {
            auto b = h.encode();
            out.insert(out.end(), b.begin(), b.end());
        }
        out.insert(out.end(), body.begin(), body.end());
        // write_all cuts Noise frames every 65519 bytes, so the data frame's
        // header and payload are spread over three of them.
        auto sent = co_await ch->write_all(out);
        REQUIRE(sent);
        for (int i = 0; i < 300 && !srv.collected_all; ++i) co_await sleep_for(milliseconds(10));
        CHECK(srv.collected_all);
        CHECK(srv.collected ==
              std::vector<std::uint8_t>(body.begin() + static_cast<std::ptrdiff_t>(negotiation), body.end()));
    });
}

TEST_CASE("an empty transport frame is accepted and the session goes on", "[net][noise]") {
    Server srv(HostConfig{});
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto ch = co_await raw_upgrade(srv.endpoint(), 311);
        ch->try_write_now({});  // a Noise message of only the 16-byte tag: legal, carries nothing
        const auto ping = YamuxHeader{YamuxType::ping, yamux_flag::SYN, 0, 4242}.encode();
        auto sent = co_await ch->write_all(ping);
        REQUIRE(sent);
        // The server may ping us too; wait for the ACK of ours.
        bool acked = false;
        for (int i = 0; i < 4 && !acked; ++i) {
            std::array<std::uint8_t, YAMUX_HEADER_SIZE> head{};
            auto got = co_await ch->read_exact(head);
            REQUIRE(got);
            auto h = YamuxHeader::decode(head);
            REQUIRE(h);
            acked = h->type == YamuxType::ping && h->has(yamux_flag::ACK) && h->length == 4242;
        }
        CHECK(acked);
    });
}

TEST_CASE("yamux frames cut anywhere across Noise frames arrive intact", "[net][yamux]") {
    Server srv(HostConfig{});
    run_test(srv.io, [&]() -> asio::awaitable<void> {
        auto ch = co_await raw_upgrade(srv.endpoint(), 313);
        std::mt19937 rng(20261124);
        std::vector<std::uint8_t> payload;
        ms_append(payload, MULTISTREAM_HEADER);
        ms_append(payload, "/collect/1");
        const auto negotiation = payload.size();
        while (payload.size() < 200'000) payload.push_back(static_cast<std::uint8_t>(rng()));
        // The payload as yamux data frames of random sizes (empty ones too), the
        // last with FIN; all within the 256 KiB every stream starts with.
        std::vector<std::uint8_t> wire;
        auto put = [&](const YamuxHeader& h) {
            auto b = h.encode();
            wire.insert(wire.end(), b.begin(), b.end());
        };
        put({YamuxType::window_update, yamux_flag::SYN, 1, 0});
        for (std::size_t at = 0; at < payload.size();) {
            const auto n = std::min<std::size_t>(payload.size() - at, rng() % 3 == 0 ? 0 : rng() % 30'000);
            put({YamuxType::data, 0, 1, static_cast<std::uint32_t>(n)});
            wire.insert(wire.end(), payload.begin() + static_cast<std::ptrdiff_t>(at),
                        payload.begin() + static_cast<std::ptrdiff_t>(at + n));
            at += n;
        }
        put({YamuxType::data, yamux_flag::FIN, 1, 0});
        // Noise frames cut at random offsets: inside headers, inside payloads.
        std::vector<std::size_t> cuts;
        for (std::size_t at = 0; at < wire.size();) cuts.push_back(at = std::min(wire.size(), at + 1 + rng() % 20'000));
        ch->seal(wire, cuts);
        auto sent = co_await ch->flush();
        REQUIRE(sent);
        for (int i = 0; i < 300 && !srv.collected_all; ++i) co_await sleep_for(milliseconds(10));
        CHECK(srv.collected_all);
        CHECK(srv.collected ==
              std::vector<std::uint8_t>(payload.begin() + static_cast<std::ptrdiff_t>(negotiation), payload.end()));
    });
}
