// Noise transport frames as SecureChannel reads them from a socket: 2-byte
// big-endian length, then ciphertext. The input is a list of operations
// building the byte stream the peer sends: a frame sealed with the right key
// around fuzzed plaintext, or raw fuzzed bytes (a lying length, a forged
// tag, a truncated frame). The channel reads with read_exact in fuzzed
// sizes until the stream ends or fails. Checks: what it yields is exactly the
// sealed plaintexts in order, up to the first corruption.
#include "fuzz_util.hpp"
#include "net_harness.hpp"
#include "secure_channel.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <tuple>

namespace chainkit::fuzz {
namespace {

struct Wire {
    Bytes bytes;
    Bytes sealed_plain;  // every plaintext sealed, in order
    std::vector<std::size_t> read_sizes;
};

// Input: repeated [op u8][length u16 BE][that many bytes][read size u16 BE];
// op 0 puts the bytes on the wire raw, any other op seals them in a frame.
Wire build(std::span<const std::uint8_t> data) {
    Wire w;
    InputCursor in(data);
    auto send = cipher(9);
    while (!in.empty() && w.read_sizes.size() < 64) {
        const auto op = in.u8();
        const auto chunk = in.take(in.u16() % 2049);
        if (op == 0) {
            w.bytes.insert(w.bytes.end(), chunk.begin(), chunk.end());  // raw: the peer lies
        } else {
            append_frame(w.bytes, send, chunk);
            w.sealed_plain.insert(w.sealed_plain.end(), chunk.begin(), chunk.end());
        }
        w.read_sizes.push_back(1 + in.u16() % 3000);
    }
    return w;
}

Bytes seed(std::initializer_list<std::tuple<std::uint8_t, std::string_view, std::uint16_t>> ops) {
    Bytes b;
    for (auto [op, text, read] : ops) {
        b.push_back(op);
        b.push_back(static_cast<std::uint8_t>(text.size() >> 8));
        b.push_back(static_cast<std::uint8_t>(text.size()));
        b.insert(b.end(), text.begin(), text.end());
        b.push_back(static_cast<std::uint8_t>(read >> 8));
        b.push_back(static_cast<std::uint8_t>(read));
    }
    return b;
}

}  // namespace

std::vector<Bytes> fuzz_seeds() {
    const std::string big(1500, 'x');
    return {seed({{1, "hello, peer", 5}}), seed({{1, "one", 1}, {1, "two", 2}, {0, "\x01\x00garbage", 100}}),
            seed({{1, big, 2000}, {1, "", 1}, {1, "tail", 3}})};
}

}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    fuzz::silence_net_log();
    const auto wire = fuzz::build(fuzz::as_span(data, size));
    static asio::io_context io;
    auto sockets = fuzz::socket_pair(io);  // lambdas below cannot capture a structured binding
    auto& ours = sockets.first;
    auto& theirs = sockets.second;
    auto peer = net::PeerId::from_public_key(net::Ed25519PublicKey{});
    net::detail::SecureChannel channel(std::move(ours), fuzz::cipher(1), fuzz::cipher(9), peer);
    fuzz::Bytes received;
    bool reader_done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await asio::async_write(theirs, asio::buffer(wire.bytes),
                                       asio::experimental::as_tuple(asio::use_awaitable));
            std::error_code ignored;
            theirs.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (std::size_t i = 0;; ++i) {
                fuzz::Bytes buf(wire.read_sizes.empty() ? 1 : wire.read_sizes[i % wire.read_sizes.size()]);
                if (!co_await channel.read_exact(buf)) break;
                received.insert(received.end(), buf.begin(), buf.end());
            }
            reader_done = true;
        },
        asio::detached);
    io.restart();
    io.run();
    FUZZ_CHECK(reader_done);
    FUZZ_CHECK(received.size() <= wire.sealed_plain.size());
    FUZZ_CHECK(std::equal(received.begin(), received.end(), wire.sealed_plain.begin()));
    return 0;
}
