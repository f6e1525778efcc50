#include "yamux_session.hpp"

#include "log.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace chainkit::net::detail {
namespace {
constexpr std::uint64_t MAX_WINDOW = 0xffffffffu;
}

YamuxSession::YamuxSession(std::unique_ptr<SecureChannel> channel, bool is_client, YamuxConfig config)
    : m_channel(std::move(channel)),
      m_client(is_client),
      m_config(config),
      m_next_id(is_client ? 1 : 2),  // the dialer uses odd ids, the listener even ones
      m_wake_writer(m_channel->socket().get_executor()),
      m_room(m_channel->socket().get_executor()),
      m_ticker(m_channel->socket().get_executor()),
      m_budget(m_config.host_budget ? m_config.host_budget
                                    : std::make_shared<ReceiveBudget>(m_channel->socket().get_executor(),
                                                                      std::numeric_limits<std::size_t>::max())) {}

void YamuxSession::hold(std::size_t n) {
    m_held += n;
    m_budget->used += n;
}

void YamuxSession::release(std::size_t n) {
    m_held -= std::min(n, m_held);
    m_budget->used -= std::min(n, m_budget->used);
    if (m_budget->paused > 0) m_budget->drained.notify();
}

bool YamuxSession::over_budget() const {
    if (m_held >= m_config.receive_budget) return true;
    return m_budget->used >= m_budget->limit && m_held >= MIN_RECEIVE_SHARE;
}

asio::awaitable<void> YamuxSession::wait_receive_room() {
    if (!over_budget() || m_closed) co_return;
    auto self = shared_from_this();
    log()->debug("peer {}: pausing reads: {} bytes held (connection budget {}; host holds {} of {})",
                 remote_peer().to_string(), m_held, m_config.receive_budget, m_budget->used, m_budget->limit);
    m_paused = true;
    ++m_budget->paused;
    while (!m_closed && over_budget()) co_await m_budget->drained.wait();
    --m_budget->paused;
    m_paused = false;
    // A ping answer, or a message's bytes, may have waited in the socket
    // meanwhile: time them afresh.
    m_last_ping_sent = Clock::now();
    for (auto& [id, s] : m_streams) s->restart_stall_clock(m_last_ping_sent);
}

void YamuxSession::start(StreamFn on_stream, ClosedFn on_closed) {
    m_on_stream = std::move(on_stream);
    m_on_closed = std::move(on_closed);
    m_idle_since = m_last_ping_sent = Clock::now();
    auto ex = get_executor();
    // A loop that throws takes the connection down with it, never silently.
    auto fail = [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->close(make_error_code(errc::io_error));
    };
    asio::co_spawn(ex, reader_loop(), log_failure("yamux reader", fail));
    asio::co_spawn(ex, writer_loop(), log_failure("yamux writer", fail));
    asio::co_spawn(ex, ticker_loop(), log_failure("yamux ticker", fail));
}

Result<std::shared_ptr<StreamCore>> YamuxSession::open_stream() {
    if (m_closed) return m_closed;
    if (m_streams.size() >= m_config.max_streams) return errc::too_many_streams;
    if (m_next_id > MAX_WINDOW - 2) return errc::too_many_streams;  // id space exhausted
    const auto id = m_next_id;
    m_next_id += 2;
    auto core = std::make_shared<StreamCore>(shared_from_this(), id, m_config.stream_window);
    m_streams.emplace(id, core);
    // Announce with a window update carrying our extra credit over 256 KiB. js
    // acknowledges a new stream only once data arrives, so writers never wait
    // for the ACK.
    send_frame({YamuxType::window_update, yamux_flag::SYN, id, m_config.stream_window - YAMUX_INITIAL_WINDOW});
    return core;
}

void YamuxSession::close(std::error_code why, GoAwayCode code) {
    if (m_closed) return;
    m_closed = why ? why : make_error_code(errc::connection_closed);
    if (!m_writing) {
        // Best effort, never blocking: tell the peer why before the socket goes.
        YamuxHeader h{YamuxType::go_away, 0, 0, static_cast<std::uint32_t>(code)};
        auto bytes = h.encode();
        m_channel->try_write_now(bytes);
    }
    m_channel->close();
    m_ticker.cancel();
    m_budget->drained.notify();
    m_wake_writer.notify();
    m_room.notify();
    auto streams = std::move(m_streams);
    m_streams.clear();
    for (auto& [id, s] : streams) s->on_session_closed(m_closed);
    if (m_on_closed) {
        // Posted: the host's callback erases this session from its tables and
        // must not run inside whatever stack detected the failure.
        asio::post(get_executor(),
                   [cb = std::move(m_on_closed), why = m_closed, self = shared_from_this()] { cb(why); });
        m_on_closed = nullptr;
    }
    m_on_stream = nullptr;
}

void YamuxSession::send_frame(const YamuxHeader& h, std::span<const std::uint8_t> payload) {
    if (m_closed) return;
    const bool urgent = h.type == YamuxType::ping || (h.type == YamuxType::window_update && h.flags == 0);
    auto& q = urgent ? m_urgent : m_pending;
    const auto head = h.encode();
    q.bytes.insert(q.bytes.end(), head.begin(), head.end());
    q.bytes.insert(q.bytes.end(), payload.begin(), payload.end());
    q.ends.push_back(q.bytes.size());
    m_wake_writer.notify();
    // Data writers wait for room; only control frames can grow the queue past
    // the bound, and only when the peer does not read what we send it.
    if (m_pending.bytes.size() + m_urgent.bytes.size() > 4 * m_config.max_write_queue) {
        log()->warn("peer {}: dropping connection: it does not read (write queue over {} bytes)",
                    remote_peer().to_string(), 4 * m_config.max_write_queue);
        close(make_error_code(errc::protocol_violation), GoAwayCode::protocol_error);
    }
}

void YamuxSession::forget_stream(std::uint32_t id) {
    m_streams.erase(id);
    if (m_streams.empty()) m_idle_since = Clock::now();
}

asio::awaitable<void> YamuxSession::writer_loop() {
    auto self = shared_from_this();
    while (!m_closed) {
        if (m_pending.bytes.empty() && m_urgent.bytes.empty()) {
            co_await m_wake_writer.wait();
            continue;
        }
        // Encrypt what is queued now; frames queued during the write go next time.
        m_channel->seal(m_urgent.bytes, m_urgent.ends);
        m_channel->seal(m_pending.bytes, m_pending.ends);
        m_urgent.clear();
        m_pending.clear();
        m_room.notify();
        m_writing = true;
        auto r = co_await m_channel->flush();
        m_writing = false;
        if (!r) close(r.error().code);
    }
}

asio::awaitable<void> YamuxSession::reader_loop() {
    auto self = shared_from_this();
    std::array<std::uint8_t, YAMUX_HEADER_SIZE> head{};
    while (!m_closed) {
        co_await wait_receive_room();
        if (m_closed) break;
        auto r = co_await m_channel->read_exact(head);
        if (m_closed) break;
        if (!r) {
            if (r.error().code != make_error_code(errc::connection_closed))
                log()->debug("peer {}: read failed: {}", remote_peer().to_string(), r.error().message);
            close(r.error().code);
            break;
        }
        auto h = YamuxHeader::decode(head);
        std::error_code ec = h ? (co_await handle_frame(*h)).error().code : make_error_code(errc::protocol_violation);
        if (ec && !m_closed) {
            log()->warn("peer {}: dropping connection: {}", remote_peer().to_string(), ec.message());
            close(ec, GoAwayCode::protocol_error);
        }
    }
}

asio::awaitable<Result<void>> YamuxSession::handle_frame(const YamuxHeader& h) {
    switch (h.type) {
        case YamuxType::ping:
            co_return handle_ping(h);
        case YamuxType::go_away:
            log()->debug("peer {}: go away (code {})", remote_peer().to_string(), h.length);
            close(make_error_code(errc::connection_closed));
            co_return Result<void>{};
        case YamuxType::window_update: {
            auto s = stream_for(h);
            if (!s) co_return s.error();
            if (*s) {
                if (auto r = (*s)->on_window_update(h.length); !r) co_return r;
                apply_stream_flags(**s, h);
            }
            co_return Result<void>{};
        }
        case YamuxType::data:
            co_return co_await handle_data(h);
    }
    co_return errc::protocol_violation;
}

asio::awaitable<Result<void>> YamuxSession::handle_data(const YamuxHeader& h) {
    // No window we grant exceeds stream_window, so nothing larger is legal.
    if (h.length > m_config.stream_window) co_return errc::window_exceeded;
    auto s = stream_for(h);
    if (!s) co_return s.error();
    // The payload is handed on straight from the decrypted Noise frames, piece
    // by piece when it spans several (peers need not align frames as we do).
    for (std::size_t left = h.length; left > 0;) {
        const auto plain = m_channel->buffered_plain();
        if (plain.empty()) {
            co_await wait_receive_room();
            if (m_closed) co_return Result<void>{};
            if (auto r = co_await m_channel->read_frame(); !r) co_return r;
            if (m_closed) co_return Result<void>{};
            continue;
        }
        const auto piece = plain.first(std::min(left, plain.size()));
        if (*s) {
            if (auto r = (*s)->on_data(piece); !r) co_return r;
        }
        m_channel->consume_plain(piece.size());
        left -= piece.size();
    }
    if (*s) apply_stream_flags(**s, h);
    co_return Result<void>{};
}

Result<std::shared_ptr<StreamCore>> YamuxSession::stream_for(const YamuxHeader& h) {
    if (!h.has(yamux_flag::SYN)) {
        auto it = m_streams.find(h.stream_id);
        // Frames for streams we already closed or refused are dropped, as hashicorp does.
        return it == m_streams.end() ? nullptr : it->second;
    }
    const bool remote_parity = (h.stream_id % 2 == 1) != m_client;
    if (h.stream_id == 0 || !remote_parity || m_streams.contains(h.stream_id)) return errc::protocol_violation;
    if (m_streams.size() >= m_config.max_streams) {
        log()->warn("peer {}: refusing stream {}: {} streams open (limit)", remote_peer().to_string(), h.stream_id,
                    m_streams.size());
        send_frame({YamuxType::window_update, yamux_flag::RST, h.stream_id, 0});
        return std::shared_ptr<StreamCore>{};
    }
    auto core = std::make_shared<StreamCore>(shared_from_this(), h.stream_id, m_config.stream_window);
    m_streams.emplace(h.stream_id, core);
    send_frame({YamuxType::window_update, yamux_flag::ACK, h.stream_id, m_config.stream_window - YAMUX_INITIAL_WINDOW});
    if (m_on_stream) m_on_stream(core);
    return core;
}

void YamuxSession::apply_stream_flags(StreamCore& s, const YamuxHeader& h) {
    if (h.has(yamux_flag::RST))
        s.on_reset();
    else if (h.has(yamux_flag::FIN))
        s.on_fin();
}

Result<void> YamuxSession::handle_ping(const YamuxHeader& h) {
    if (h.has(yamux_flag::SYN)) {
        send_frame({YamuxType::ping, yamux_flag::ACK, 0, h.length});
    } else if (h.has(yamux_flag::ACK)) {
        if (m_ping_outstanding && *m_ping_outstanding == h.length) m_ping_outstanding.reset();
    }
    return {};
}

asio::awaitable<void> YamuxSession::ticker_loop() {
    auto self = shared_from_this();
    auto period = std::min(m_config.keepalive, m_config.ping_timeout);
    if (m_config.idle_timeout.count() > 0) period = std::min(period, m_config.idle_timeout);
    if (m_config.message_stall_timeout.count() > 0) period = std::min(period, m_config.message_stall_timeout);
    period = std::clamp(period / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
    while (!m_closed) {
        m_ticker.expires_after(period);
        co_await m_ticker.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (m_closed) break;
        tick();
    }
}

void YamuxSession::tick() {
    if (m_paused) return;  // answers to our pings wait unread in the socket
    const auto now = Clock::now();
    if (m_ping_outstanding && now - m_last_ping_sent >= m_config.ping_timeout) {
        log()->warn("peer {}: dropping connection: ping unanswered for {} ms", remote_peer().to_string(),
                    m_config.ping_timeout.count());
        close(make_error_code(errc::timeout));
        return;
    }
    if (m_config.idle_timeout.count() > 0 && m_streams.empty() && now - m_idle_since >= m_config.idle_timeout) {
        log()->info("peer {}: closing connection idle for {} ms", remote_peer().to_string(),
                    m_config.idle_timeout.count());
        close(make_error_code(errc::timeout));
        return;
    }
    if (m_config.message_stall_timeout.count() > 0 && reset_stalled_streams(now)) return;
    if (!m_ping_outstanding && now - m_last_ping_sent >= m_config.keepalive) {
        m_ping_outstanding = ++m_ping_counter;
        m_last_ping_sent = now;
        send_frame({YamuxType::ping, yamux_flag::SYN, 0, *m_ping_outstanding});
    }
}

// A peer may announce a message and then send nothing more: bounded in
// memory (a body grows as bytes arrive) but, without a deadline, held for
// ever. A connection doing nothing but that, or doing it again and again
// (stalling streams one by one while keeping one idle), is dropped.
bool YamuxSession::reset_stalled_streams(Clock::time_point now) {
    std::vector<std::shared_ptr<StreamCore>> stalled;
    for (const auto& [id, s] : m_streams)
        if (s->message_stalled(now - m_config.message_stall_timeout)) stalled.push_back(s);
    if (stalled.empty()) return false;
    const auto ms = m_config.message_stall_timeout.count();
    m_stalled += stalled.size();
    if (stalled.size() == m_streams.size() || m_stalled >= MAX_STALLED_STREAMS) {
        log()->warn("peer {}: dropping connection: its streams stalled mid-message ({} streams, no byte for {} ms)",
                    remote_peer().to_string(), m_stalled, ms);
        close(make_error_code(errc::timeout));
        return true;
    }
    log()->warn("peer {}: resetting {} stream(s) stalled mid-message (no byte for {} ms; first: stream {} {})",
                remote_peer().to_string(), stalled.size(), ms, stalled.front()->id(), stalled.front()->protocol);
    for (auto& s : stalled) s->reset();
    return false;
}

}  // namespace chainkit::net::detail
