#include "log.hpp"
#include "varint_io.hpp"
#include "yamux_session.hpp"

#include <chainkit/net/stream.hpp>
#include <chainkit/net/varint.hpp>

namespace chainkit::net {

Stream::Stream(std::shared_ptr<detail::StreamCore> core) : m_core(std::move(core)) {}

Stream::~Stream() {
    if (m_core) m_core->abandon();
}

asio::awaitable<Result<std::size_t>> Stream::read_some(std::span<std::uint8_t> buf) {
    co_return co_await m_core->read_some(buf);
}

asio::awaitable<Result<void>> Stream::read_exact(std::span<std::uint8_t> buf) {
    co_return co_await m_core->read_exact(buf);
}

asio::awaitable<Result<void>> Stream::write(std::span<const std::uint8_t> data) {
    co_return co_await m_core->write_all(data);
}

asio::awaitable<Result<void>> Stream::close_write() {
    co_return m_core->close_write();
}

void Stream::reset() {
    m_core->reset();
}

const std::string& Stream::protocol() const noexcept {
    return m_core->protocol;
}
const PeerId& Stream::remote_peer() const noexcept {
    return m_core->remote_peer();
}
std::uint32_t Stream::id() const noexcept {
    return m_core->id();
}

namespace {
// Bytes a partial message holds, charged to the stream's receive budgets for
// as long as this lives.
class HeldBytes {
public:
    explicit HeldBytes(detail::StreamCore& core) : m_core(core) {}
    ~HeldBytes() { m_core.release(m_n); }
    HeldBytes(const HeldBytes&) = delete;
    HeldBytes& operator=(const HeldBytes&) = delete;
    void set(std::size_t n) {
        if (n > m_n) m_core.hold(n - m_n);
        if (n < m_n) m_core.release(m_n - n);
        m_n = n;
    }

private:
    detail::StreamCore& m_core;
    std::size_t m_n = 0;
};

// A message in progress, watched by the session's stall deadline while this
// lives.
class MessageInProgress {
public:
    explicit MessageInProgress(detail::StreamCore& core) : m_core(core) { m_core.begin_message(); }
    ~MessageInProgress() { m_core.end_message(); }
    MessageInProgress(const MessageInProgress&) = delete;
    MessageInProgress& operator=(const MessageInProgress&) = delete;

private:
    detail::StreamCore& m_core;
};
}  // namespace

asio::awaitable<Result<std::vector<std::uint8_t>>> Stream::read_message(std::size_t max_size) {
    // Waiting for a message to start is idle, not a stall: a long-lived
    // stream may be quiet between messages.
    if (auto r = co_await m_core->wait_readable(); !r) co_return r.error();
    MessageInProgress watched(*m_core);
    auto len = co_await detail::read_uvarint(*m_core, MAX_VARINT_BYTES);
    if (!len) co_return len.error();
    if (!*len) {
        m_core->reset();
        co_return errc::protocol_violation;
    }
    if (**len > max_size) {
        detail::log()->warn("peer {}: {}: message of {} bytes over the {} limit; resetting stream",
                            remote_peer().to_string(), protocol(), **len, max_size);
        m_core->reset();
        co_return errc::message_too_large;
    }
    // Grown as bytes arrive (a length costs the peer nothing), and counted
    // against the receive budgets by capacity while it is partial.
    const auto size = static_cast<std::size_t>(**len);
    std::vector<std::uint8_t> body;
    HeldBytes held(*m_core);
    while (body.size() < size) {
        if (auto r = co_await m_core->wait_readable(); !r) co_return r.error();
        const auto take = std::min(size - body.size(), m_core->available());
        if (body.size() + take > body.capacity())
            body.reserve(std::min(size, std::max(body.size() + take, 2 * body.capacity())));
        held.set(body.capacity());
        m_core->take(body, take);
    }
    co_return body;
}

asio::awaitable<Result<void>> Stream::write_message(std::span<const std::uint8_t> body) {
    std::vector<std::uint8_t> out;
    append_uvarint(out, body.size());
    // A small body rides in the prefix's frame; a large one is not copied.
    constexpr std::size_t copy_below = 4096;
    if (body.size() < copy_below) {
        out.insert(out.end(), body.begin(), body.end());
        co_return co_await m_core->write_all(out);
    }
    if (auto r = co_await m_core->write_all(out); !r) co_return r;
    co_return co_await m_core->write_all(body);
}

asio::awaitable<Result<std::string>> Stream::read_line(std::size_t max_len) {
    std::string line;
    for (;;) {
        if (m_core->take_line_bytes(line, max_len)) co_return line;
        if (line.size() >= max_len) {
            // take_line_bytes looks one byte past the limit: a byte there that is
            // not '\n' means the line is too long, whatever follows.
            auto ready = co_await m_core->wait_readable();
            if (ready) {
                if (m_core->take_line_bytes(line, max_len)) co_return line;
                detail::log()->warn("peer {}: {}: line over {} bytes; resetting stream", remote_peer().to_string(),
                                    protocol(), max_len);
                m_core->reset();
                co_return errc::line_too_long;
            }
            if (ready.error().code == make_error_code(errc::end_of_stream)) co_return line;
            co_return ready.error();
        }
        auto ready = co_await m_core->wait_readable();
        if (!ready) {
            if (ready.error().code == make_error_code(errc::end_of_stream) && !line.empty()) co_return line;
            co_return ready.error();
        }
    }
}

}  // namespace chainkit::net
