// A yamux session (listener side) driven by a hostile peer: the fuzz input is
// the plaintext byte stream the peer sends, sealed by the harness into Noise
// frames of a fuzzed size so that yamux frames straddle frame boundaries.
// Every stream the peer opens is served by an echo handler (reads and writes
// back), so windows, FIN/RST, pings and go-away all run against real stream
// state. With the first byte odd, the session also opens a stream of its own
// at the start. Checks: the session ends when the peer's bytes end (no hang,
// libFuzzer's -timeout catches one), never holds more streams than its limit,
// and releases every stream when it closes (LeakSanitizer sees a cycle left).
//
// Input: [flags u8][noise frame size u16 BE][yamux bytes...]
#include "fuzz_util.hpp"
#include "net_harness.hpp"
#include "yamux_session.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace chainkit::fuzz {
namespace {

using namespace net::detail;

constexpr std::size_t MAX_STREAMS = 4;

Bytes frame(YamuxType type, std::uint16_t flags, std::uint32_t id, std::uint32_t length,
            std::string_view payload = {}) {
    const auto h = YamuxHeader{type, flags, id, length}.encode();
    Bytes b(h.begin(), h.end());
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

Bytes seed(std::uint8_t flags, std::uint16_t frame_size, std::initializer_list<Bytes> frames) {
    Bytes b{flags, static_cast<std::uint8_t>(frame_size >> 8), static_cast<std::uint8_t>(frame_size)};
    for (const auto& f : frames) b.insert(b.end(), f.begin(), f.end());
    return b;
}

asio::awaitable<void> echo(std::shared_ptr<StreamCore> s) {
    std::array<std::uint8_t, 512> buf{};
    for (;;) {
        auto n = co_await s->read_some(buf);
        if (!n) break;
        if (!co_await s->write_all(std::span(buf).first(*n))) break;
    }
    s->abandon();
}

asio::awaitable<void> drain(asio::ip::tcp::socket& sock) {
    std::array<std::uint8_t, 4096> buf{};
    for (;;) {
        auto [ec, n] =
            co_await sock.async_read_some(asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) break;
    }
}

}  // namespace

std::vector<Bytes> fuzz_seeds() {
    using namespace yamux_flag;
    return {
        seed(0, 4096,
             {frame(YamuxType::window_update, SYN, 1, 0), frame(YamuxType::data, 0, 1, 5, "hello"),
              frame(YamuxType::data, FIN, 1, 0)}),
        seed(0, 7,
             {frame(YamuxType::data, SYN, 3, 3, "abc"), frame(YamuxType::ping, SYN, 0, 42),
              frame(YamuxType::window_update, RST, 3, 0)}),
        seed(1, 100,
             {frame(YamuxType::window_update, ACK, 2, 1000), frame(YamuxType::data, 0, 2, 2, "ok"),
              frame(YamuxType::go_away, 0, 0, 0)}),
        seed(0, 4096,
             {frame(YamuxType::data, SYN, 1, 1, "a"), frame(YamuxType::data, SYN, 3, 1, "b"),
              frame(YamuxType::data, SYN, 5, 1, "c"), frame(YamuxType::data, SYN, 7, 1, "d"),
              frame(YamuxType::data, SYN, 9, 1, "e")}),
    };
}

}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    using namespace chainkit::net::detail;
    fuzz::silence_net_log();
    fuzz::InputCursor in(fuzz::as_span(data, size));
    const auto flags = in.u8();
    const std::size_t frame_size = 1 + in.u16() % NOISE_MAX_PLAINTEXT;
    fuzz::Bytes wire;
    auto seal = fuzz::cipher(9);
    while (!in.empty()) fuzz::append_frame(wire, seal, in.take(frame_size));

    static asio::io_context io;
    auto sockets = fuzz::socket_pair(io);  // lambdas below cannot capture a structured binding
    auto& ours = sockets.first;
    auto& theirs = sockets.second;
    auto peer = net::PeerId::from_public_key(net::Ed25519PublicKey{});
    auto channel = std::make_unique<SecureChannel>(std::move(ours), fuzz::cipher(1), fuzz::cipher(9), peer);
    YamuxConfig config;
    config.max_streams = fuzz::MAX_STREAMS;
    auto session = std::make_shared<YamuxSession>(std::move(channel), false, config);
    bool closed = false;
    std::weak_ptr<YamuxSession> weak = session;
    session->start(
        [weak](std::shared_ptr<StreamCore> s) {
            if (auto self = weak.lock()) FUZZ_CHECK(self->stream_count() <= fuzz::MAX_STREAMS);
            asio::co_spawn(io, fuzz::echo(std::move(s)), asio::detached);
        },
        [&closed](std::error_code) { closed = true; });
    if (flags % 2 == 1) {
        if (auto s = session->open_stream()) asio::co_spawn(io, fuzz::echo(std::move(*s)), asio::detached);
    }
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await asio::async_write(theirs, asio::buffer(wire), asio::experimental::as_tuple(asio::use_awaitable));
            std::error_code ignored;
            theirs.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        },
        asio::detached);
    asio::co_spawn(io, fuzz::drain(theirs), asio::detached);
    io.restart();
    io.run();
    FUZZ_CHECK(closed && session->is_closed() && session->stream_count() == 0);
    FUZZ_CHECK(session.use_count() == 1);  // no stream or coroutine still holds the session
    return 0;
}
