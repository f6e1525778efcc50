#include "secure_channel.hpp"

#include "noise_payload.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <cstring>

namespace chainkit::net::detail {
namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

void put_be16(std::vector<std::uint8_t>& out, std::size_t n) {
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n & 0xff));
}

asio::awaitable<Result<void>> write_frame(asio::ip::tcp::socket& s, std::span<const std::uint8_t> msg) {
    std::vector<std::uint8_t> buf;
    put_be16(buf, msg.size());
    buf.insert(buf.end(), msg.begin(), msg.end());
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(buf), use_tuple);
    if (ec) co_return map_io_error(ec);
    co_return Result<void>{};
}

asio::awaitable<Result<std::vector<std::uint8_t>>> read_handshake_frame(asio::ip::tcp::socket& s) {
    std::array<std::uint8_t, 2> len{};
    auto [ec, n] = co_await asio::async_read(s, asio::buffer(len), use_tuple);
    if (ec) co_return map_io_error(ec);
    const std::size_t size = std::size_t{len[0]} << 8 | len[1];
    if (size > NOISE_MAX_HANDSHAKE_MESSAGE) co_return errc::frame_too_large;
    std::vector<std::uint8_t> msg(size);
    auto [ec2, n2] = co_await asio::async_read(s, asio::buffer(msg), use_tuple);
    if (ec2) co_return map_io_error(ec2);
    co_return msg;
}
}  // namespace

std::error_code map_io_error(const std::error_code& ec) {
    if (ec == asio::error::operation_aborted) return ec;  // cancellation (deadline or stop)
    if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::error::bad_descriptor)
        return make_error_code(errc::connection_closed);
    return ec;
}

SecureChannel::SecureChannel(asio::ip::tcp::socket sock, CipherState send, CipherState recv, PeerId remote)
    : m_sock(std::move(sock)), m_send(std::move(send)), m_recv(std::move(recv)), m_remote(std::move(remote)) {}

void SecureChannel::close() {
    std::error_code ignored;
    m_sock.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    m_sock.close(ignored);
}

void SecureChannel::try_write_now(std::span<const std::uint8_t> data) {
    if (data.size() > NOISE_MAX_PLAINTEXT) return;
    std::vector<std::uint8_t> out;
    put_be16(out, data.size() + NOISE_TAG);
    m_send.encrypt({}, data, out);
    std::error_code ec;
    m_sock.non_blocking(true, ec);
    if (!ec) m_sock.write_some(asio::buffer(out), ec);
}

asio::awaitable<Result<void>> SecureChannel::fill(std::size_t need) {
    while (m_cipher_in.size() < need) {
        // Read what is missing, or more when frames have been large, so that
        // bulk transfers take several frames per system call.
        auto space = m_cipher_in.prepare(std::max(need - m_cipher_in.size(), m_read_hint));
        auto [ec, n] = co_await m_sock.async_read_some(asio::buffer(space.data(), space.size()), use_tuple);
        m_cipher_in.commit(n);
        if (ec) co_return map_io_error(ec);
    }
    co_return Result<void>{};
}

asio::awaitable<Result<void>> SecureChannel::read_frame() {
    if (auto r = co_await fill(2); !r) co_return r;
    const auto head = m_cipher_in.bytes();
    const std::size_t size = std::size_t{head[0]} << 8 | head[1];
    if (size < NOISE_TAG) co_return errc::decrypt_failed;
    if (auto r = co_await fill(2 + size); !r) co_return r;
    auto plain = m_plain.prepare(size - NOISE_TAG);
    auto r = m_recv.decrypt_to({}, m_cipher_in.bytes().subspan(2, size), plain.data());
    if (r) m_plain.commit(size - NOISE_TAG);
    m_cipher_in.consume(2 + size);
    m_read_hint = std::min<std::size_t>(4 * (size + 2), 256 * 1024);
    co_return r;
}

asio::awaitable<Result<void>> SecureChannel::read_exact(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        if (m_plain.empty()) {
            if (auto r = co_await read_frame(); !r) co_return r;
            continue;
        }
        const std::size_t n = std::min(out.size(), m_plain.size());
        std::memcpy(out.data(), m_plain.bytes().data(), n);
        m_plain.consume(n);
        out = out.subspan(n);
    }
    co_return Result<void>{};
}

void SecureChannel::seal_frame(std::span<const std::uint8_t> plain) {
    const std::size_t size = plain.size() + NOISE_TAG;
    auto out = m_out.prepare(2 + size);
    out[0] = static_cast<std::uint8_t>(size >> 8);
    out[1] = static_cast<std::uint8_t>(size & 0xff);
    m_send.encrypt_to({}, plain, out.data() + 2);
    m_out.commit(2 + size);
}

void SecureChannel::seal(std::span<const std::uint8_t> data, std::span<const std::size_t> unit_ends) {
    std::size_t start = 0, cut = 0;  // the open frame is data[start, cut): whole units so far
    auto close_units_before = [&](std::size_t end) {
        if (end - start <= NOISE_MAX_PLAINTEXT) return;
        if (cut > start) {
            seal_frame(data.subspan(start, cut - start));
            start = cut;
        }
        for (; end - start > NOISE_MAX_PLAINTEXT; start += NOISE_MAX_PLAINTEXT)  // a unit larger than a frame
            seal_frame(data.subspan(start, NOISE_MAX_PLAINTEXT));
    };
    for (const std::size_t end : unit_ends) {
        close_units_before(end);
        cut = end;
    }
    close_units_before(data.size());
    if (data.size() > start) seal_frame(data.subspan(start));
}

asio::awaitable<Result<void>> SecureChannel::flush() {
    auto [ec, written] =
        co_await asio::async_write(m_sock, asio::buffer(m_out.bytes().data(), m_out.size()), use_tuple);
    m_out.clear();
    if (ec) co_return map_io_error(ec);
    co_return Result<void>{};
}

asio::awaitable<Result<void>> SecureChannel::write_all(std::span<const std::uint8_t> data) {
    seal(data, {});
    co_return co_await flush();
}

asio::awaitable<Result<std::unique_ptr<SecureChannel>>> noise_handshake(asio::ip::tcp::socket sock, const Identity& id,
                                                                        bool initiator) {
    const auto static_key = X25519KeyPair::generate();
    HandshakeXX hs(initiator, static_key);
    const auto payload = make_noise_payload(id, static_key.pub);
    std::optional<PeerId> remote;
    // XX: the responder's payload rides in message 2, the initiator's in message 3.
    for (int step = 0; step < 3; ++step) {
        const bool ours = (step % 2 == 0) == initiator;
        if (ours) {
            auto msg = hs.write_message(step == 0 ? std::span<const std::uint8_t>{} : std::span(payload));
            if (!msg) co_return msg.error();
            if (auto r = co_await write_frame(sock, *msg); !r) co_return r.error();
        } else {
            auto frame = co_await read_handshake_frame(sock);
            if (!frame) co_return frame.error();
            auto their_payload = hs.read_message(*frame);
            if (!their_payload) co_return their_payload.error();
            if (step > 0) {
                auto peer = verify_noise_payload(*their_payload, hs.remote_static());
                if (!peer) co_return peer.error();
                remote = *peer;
            }
        }
    }
    if (!remote) co_return errc::handshake_failed;
    auto [send, recv] = hs.split();
    co_return std::make_unique<SecureChannel>(std::move(sock), std::move(send), std::move(recv), *remote);
}

asio::awaitable<Result<void>> RawSocketIo::read_exact(std::span<std::uint8_t> out) {
    auto [ec, n] = co_await asio::async_read(m_sock, asio::buffer(out.data(), out.size()), use_tuple);
    if (ec) co_return map_io_error(ec);
    co_return Result<void>{};
}

asio::awaitable<Result<void>> RawSocketIo::write_all(std::span<const std::uint8_t> data) {
    auto [ec, n] = co_await asio::async_write(m_sock, asio::buffer(data.data(), data.size()), use_tuple);
    if (ec) co_return map_io_error(ec);
    co_return Result<void>{};
}

}  // namespace chainkit::net::detail
