// The deadline on a message in progress (issue 15): a read_message whose
// bytes stop coming resets its stream after HostConfig::message_stall_timeout,
// a connection whose streams all stall is dropped, and neither a quiet stream
// between messages nor a slow but steady message is touched.
#include "log_capture.hpp"
#include "net_test_util.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <catch2/catch.hpp>

#include <chainkit/net/host.hpp>
#include <chainkit/net/varint.hpp>
#include <map>
#include <string>

using namespace chainkit::net;
using chainkit::net::test::LogCapture;
using chainkit::net::test::run_test;
using chainkit::net::test::sleep_for;
using chainkit::net::test::wait_until;
using std::chrono::milliseconds;

namespace {

// What the server's read_message gave on each stream: the body size, or the error.
struct Outcomes {
    std::map<std::uint32_t, std::size_t> bodies;
    std::map<std::uint32_t, std::error_code> errors;
    std::size_t count() const { return bodies.size() + errors.size(); }
};

std::unique_ptr<Host> server(asio::io_context& io, std::uint64_t seed, milliseconds stall, Outcomes& out) {
    HostConfig cfg;
    cfg.message_stall_timeout = stall;
    auto h = std::make_unique<Host>(io.get_executor(), Identity::from_seed(seed), cfg);
    h->set_handler("/msg/1", [&out](std::shared_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
        auto m = co_await s->read_message(1 << 20);
        if (m)
            out.bodies[s->id()] = m->size();
        else
            out.errors[s->id()] = m.error().code;
    });
    REQUIRE(h->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    return h;
}

// A length prefix claiming `claimed` bytes followed by `sent` of them.
std::vector<std::uint8_t> partial(std::size_t claimed, std::size_t sent) {
    std::vector<std::uint8_t> out;
    append_uvarint(out, claimed);
    out.resize(out.size() + sent, 0x42);
    return out;
}

}  // namespace

TEST_CASE("a message whose bytes stop coming resets its stream; a quiet stream stays", "[net][limits][bounds]") {
    LogCapture logged;
    asio::io_context io;
    Outcomes out;
    auto srv = server(io, 421, milliseconds(300), out);
    run_test(io, [&]() -> asio::awaitable<void> {
        Host client(io.get_executor(), Identity::from_seed(422));
        auto peer = co_await client.dial(srv->listen_addresses().at(0));
        REQUIRE(peer);
        auto quiet = co_await client.open_stream(*peer, "/msg/1");  // sends nothing yet
        REQUIRE(quiet);
        auto stalled = co_await client.open_stream(*peer, "/msg/1");
        REQUIRE(stalled);
        auto w = co_await (*stalled)->write(partial(1000, 10));
        REQUIRE(w);
        const bool ended = co_await wait_until([&] { return out.count() == 1; }, milliseconds(10000));
        REQUIRE(ended);
        CHECK(out.errors.size() == 1);
        CHECK(out.errors.begin()->second == make_error_code(errc::stream_reset));
        CHECK(logged.count("resetting 1 stream(s) stalled mid-message (no byte for 300 ms") == 1);
        std::array<std::uint8_t, 16> b{};
        auto r = co_await (*stalled)->read_some(b);  // the peer learns of it too
        CHECK(r.error().code == make_error_code(errc::stream_reset));
        // The quiet stream waited longer than the deadline, between messages:
        // it is not a stall, and the connection is still there.
        CHECK(client.is_connected(srv->peer_id()));
        const std::vector<std::uint8_t> body(100, 0x17);
        auto wq = co_await (*quiet)->write_message(body);
        REQUIRE(wq);
        const bool served = co_await wait_until([&] { return out.bodies.size() == 1; }, milliseconds(10000));
        CHECK(served);
        CHECK(out.bodies.begin()->second == body.size());
        client.stop();
    });
}

TEST_CASE("a message that arrives slowly but steadily is not reset", "[net][limits][bounds]") {
    asio::io_context io;
    Outcomes out;
    // A 2 s deadline and a byte every 250 ms: a loaded machine (ASan, load 16)
    // delayed a 100 ms sleep past a 400 ms deadline.
    auto srv = server(io, 423, milliseconds(2000), out);
    run_test(io, [&]() -> asio::awaitable<void> {
        Host client(io.get_executor(), Identity::from_seed(424));
        auto peer = co_await client.dial(srv->listen_addresses().at(0));
        REQUIRE(peer);
        auto s = co_await client.open_stream(*peer, "/msg/1");
        REQUIRE(s);
        // 20 bytes, one per 250 ms: 2.5 times the deadline in all, never idle for it.
        auto w = co_await (*s)->write(partial(20, 0));
        REQUIRE(w);
        for (int i = 0; i < 20; ++i) {
            co_await sleep_for(milliseconds(250));
            const std::uint8_t byte = 0x33;
            auto wb = co_await (*s)->write(std::span(&byte, 1));
            REQUIRE(wb);
        }
        const bool ended = co_await wait_until([&] { return out.count() == 1; }, milliseconds(10000));
        REQUIRE(ended);
        CHECK(out.bodies.size() == 1);
        CHECK(out.bodies.begin()->second == 20);
        client.stop();
    });
}

TEST_CASE("a connection whose streams all stall mid-message is dropped", "[net][limits][bounds]") {
    LogCapture logged;
    asio::io_context io;
    Outcomes out;
    // 1 s, and every stream opened before any stalls: on a loaded machine the
    // opens alone took longer than a shorter deadline, and the first streams
    // were reset one by one before the last had started.
    auto srv = server(io, 425, milliseconds(1000), out);
    run_test(io, [&]() -> asio::awaitable<void> {
        Host client(io.get_executor(), Identity::from_seed(426));
        auto peer = co_await client.dial(srv->listen_addresses().at(0));
        REQUIRE(peer);
        std::vector<std::shared_ptr<Stream>> open;
        for (int i = 0; i < 3; ++i) {
            auto s = co_await client.open_stream(*peer, "/msg/1");
            REQUIRE(s);
            open.push_back(*s);
        }
        for (const auto& s : open) {
            auto w = co_await s->write(partial(1000, 5));
            REQUIRE(w);
        }
        const bool dropped =
            co_await wait_until([&] { return !client.is_connected(srv->peer_id()); }, milliseconds(10000));
        REQUIRE(dropped);
        const auto id = client.peer_id().to_string();
        CHECK(logged.count("peer " + id + ": dropping connection: its streams stalled mid-message (3 streams") == 1);
        const bool ended = co_await wait_until([&] { return out.errors.size() == 3; }, milliseconds(10000));
        CHECK(ended);
        for (const auto& [stream, ec] : out.errors) CHECK(ec == make_error_code(errc::timeout));
        client.stop();
    });
}
