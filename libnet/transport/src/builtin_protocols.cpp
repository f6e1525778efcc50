#include "builtin_protocols.hpp"

#include "deadline.hpp"
#include "log.hpp"
#include "protobuf.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace chainkit::net::detail {

asio::awaitable<void> serve_ping(std::shared_ptr<Stream> stream) {
    std::array<std::uint8_t, PING_SIZE> buf{};
    for (;;) {
        auto r = co_await stream->read_exact(buf);
        if (!r) {
            // js closes its side after the last ping: answer with our FIN so the
            // stream ends cleanly rather than with a reset.
            if (r.error().code == make_error_code(errc::end_of_stream)) (void)co_await stream->close_write();
            co_return;
        }
        if (auto w = co_await stream->write(buf); !w) co_return;
    }
}

asio::awaitable<Result<std::chrono::microseconds>> ping_once(Stream& stream) {
    std::array<std::uint8_t, PING_SIZE> out{}, in{};
    randombytes_buf(out.data(), out.size());
    const auto start = std::chrono::steady_clock::now();
    if (auto r = co_await stream.write(out); !r) co_return r.error();
    if (auto r = co_await stream.read_exact(in); !r) co_return r.error();
    if (in != out) co_return errc::protocol_violation;
    co_return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
}

std::vector<std::uint8_t> encode_identify(const Identity& id, const IdentifyInfo& info) {
    std::vector<std::uint8_t> out;
    pb_put_bytes(out, 1, encode_public_key(id.public_key()));
    for (const auto& a : info.listen_addrs) pb_put_bytes(out, 2, a.to_bytes());
    for (const auto& p : info.protocols) pb_put_string(out, 3, p);
    if (info.observed) pb_put_bytes(out, 4, info.observed->to_bytes());
    pb_put_string(out, 5, "ipfs/0.1.0");
    pb_put_string(out, 6, info.agent_version);
    return out;
}

asio::awaitable<void> serve_identify(std::shared_ptr<Stream> stream, std::vector<std::uint8_t> message) {
    if (auto r = co_await stream->write_message(message); !r) {
        log()->debug("identify to {} failed: {}", stream->remote_peer().to_string(), r.error().message);
        co_return;
    }
    (void)co_await stream->close_write();
    // Wait (bounded) for the peer's FIN: a reset sent right after our data
    // could discard it at the peer before its reader consumed it.
    auto drain = [](std::shared_ptr<Stream> s) -> asio::awaitable<bool> {
        std::array<std::uint8_t, 64> sink{};
        while (co_await s->read_some(sink)) {
        }
        co_return true;
    };
    (void)co_await with_deadline(drain(stream), std::chrono::seconds(10));
}

}  // namespace chainkit::net::detail
