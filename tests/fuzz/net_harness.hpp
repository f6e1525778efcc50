// Pieces the transport targets share: a connected socket pair without TCP
// ports (a UNIX socketpair behind asio's tcp::socket, so thousands of
// executions a second leave no TIME_WAIT behind), fixed Noise keys so runs
// are reproducible, and a silenced "net" logger (a hostile input is expected
// to be refused, and logging each refusal would dominate the run time).
#pragma once

#include "fuzz_util.hpp"
#include "noise.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <sys/socket.h>
#include <utility>

namespace chainkit::fuzz {

inline void silence_net_log() {
    static const bool once = [] {
        if (!spdlog::get("net")) spdlog::create<spdlog::sinks::null_sink_st>("net");
        std::signal(SIGPIPE, SIG_IGN);  // a write to a peer that left must fail, not kill the run
        return true;
    }();
    (void)once;
}

inline std::pair<asio::ip::tcp::socket, asio::ip::tcp::socket> socket_pair(asio::io_context& io) {
    int fds[2];
    FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    asio::ip::tcp::socket a(io), b(io);
    a.assign(asio::ip::tcp::v4(), fds[0]);
    b.assign(asio::ip::tcp::v4(), fds[1]);
    return {std::move(a), std::move(b)};
}

inline net::detail::Key32 fixed_key(std::uint8_t fill) {
    net::detail::Key32 k{};
    k.fill(fill);
    return k;
}

inline net::detail::X25519KeyPair fixed_x25519(std::uint8_t fill) {
    return net::detail::X25519KeyPair::from_secret(fixed_key(fill));
}

// A cipher state both ends of a test channel agree on.
inline net::detail::CipherState cipher(std::uint8_t fill) {
    net::detail::CipherState c;
    c.set_key(fixed_key(fill));
    return c;
}

// Seals `plain` as one Noise transport frame (2-byte length, ciphertext).
inline void append_frame(Bytes& wire, net::detail::CipherState& c, std::span<const std::uint8_t> plain) {
    const std::size_t size = plain.size() + net::detail::NOISE_TAG;
    wire.push_back(static_cast<std::uint8_t>(size >> 8));
    wire.push_back(static_cast<std::uint8_t>(size & 0xff));
    c.encrypt({}, plain, wire);
}

}  // namespace chainkit::fuzz
