#include "yamux_session.hpp"

#include <algorithm>
#include <cstring>

namespace chainkit::net::detail {

StreamCore::StreamCore(std::shared_ptr<YamuxSession> session, std::uint32_t id, std::uint32_t window)
    : m_session(std::move(session)),
      m_id(id),
      m_window(window),
      m_recv_window(window),
      m_readable(m_session->get_executor()),
      m_writable(m_session->get_executor()) {}

StreamCore::~StreamCore() {
    release(m_rx.size());
}

void StreamCore::take(std::vector<std::uint8_t>& out, std::size_t n) {
    n = std::min(n, buffered());
    const auto rx = m_rx.bytes();
    out.insert(out.end(), rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(n));
    consume(n);
}

void StreamCore::hold(std::size_t n) {
    m_session->hold(n);
}

void StreamCore::release(std::size_t n) {
    if (n > 0) m_session->release(n);
}

void StreamCore::begin_message() noexcept {
    m_in_message = true;
    m_last_progress = Clock::now();
}

const PeerId& StreamCore::remote_peer() const noexcept {
    return m_session->remote_peer();
}

asio::awaitable<Result<void>> StreamCore::wait_readable() {
    auto self = shared_from_this();
    for (;;) {
        if (m_reset) co_return errc::stream_reset;
        if (buffered() > 0) co_return Result<void>{};
        if (m_remote_fin) co_return errc::end_of_stream;
        if (m_conn_error) co_return m_conn_error;
        co_await m_readable.wait();
    }
}

asio::awaitable<Result<std::size_t>> StreamCore::read_some(std::span<std::uint8_t> buf) {
    if (buf.empty()) co_return std::size_t{0};
    if (auto r = co_await wait_readable(); !r) co_return r.error();
    const std::size_t n = std::min(buf.size(), buffered());
    std::memcpy(buf.data(), m_rx.bytes().data(), n);
    consume(n);
    co_return n;
}

asio::awaitable<Result<void>> StreamCore::read_exact(std::span<std::uint8_t> buf) {
    while (!buf.empty()) {
        auto n = co_await read_some(buf);
        if (!n) co_return n.error();
        buf = buf.subspan(*n);
    }
    co_return Result<void>{};
}

bool StreamCore::take_line_bytes(std::string& line, std::size_t max) {
    const auto rx = m_rx.bytes();
    const auto begin = rx.begin();
    const auto room = max > line.size() ? max - line.size() : 0;
    const auto end = begin + static_cast<std::ptrdiff_t>(std::min(buffered(), room + 1));
    const auto nl = std::find(begin, end, std::uint8_t{'\n'});
    const bool found = nl != end;
    const auto take = static_cast<std::size_t>(std::min<std::ptrdiff_t>(nl - begin, static_cast<std::ptrdiff_t>(room)));
    line.append(reinterpret_cast<const char*>(rx.data()), take);
    consume(take + (found && static_cast<std::size_t>(nl - begin) == take ? 1 : 0));
    return found && static_cast<std::size_t>(nl - begin) == take;
}

void StreamCore::consume(std::size_t n) {
    n = std::min(n, m_rx.size());
    m_rx.consume(n);
    release(n);
    m_rx.release_if_empty(m_window);
    m_consumed += static_cast<std::uint32_t>(n);
    // Return credit in large steps: one update per half window read.
    if (m_consumed >= m_window / 2 && !m_remote_fin && !m_reset && !m_conn_error) {
        m_session->send_frame({YamuxType::window_update, 0, m_id, m_consumed});
        m_recv_window += m_consumed;
        m_consumed = 0;
    }
}

std::error_code StreamCore::write_error() const {
    if (m_reset) return make_error_code(errc::stream_reset);
    if (m_conn_error) return m_conn_error;
    if (m_local_fin) return make_error_code(errc::stream_closed);
    return {};
}

asio::awaitable<Result<void>> StreamCore::write_all(std::span<const std::uint8_t> data) {
    auto self = shared_from_this();
    while (!data.empty()) {
        if (auto ec = write_error()) co_return ec;
        if (m_send_window == 0) {
            co_await m_writable.wait();
            continue;
        }
        if (m_session->queue_full()) {
            co_await m_session->wait_queue_room();
            continue;
        }
        const auto n =
            static_cast<std::uint32_t>(std::min<std::uint64_t>({data.size(), m_send_window, YAMUX_MAX_CHUNK}));
        const YamuxHeader head{YamuxType::data, 0, m_id, n};
        m_session->send_frame(head, data.first(n));
        m_send_window -= n;
        data = data.subspan(n);
    }
    co_return Result<void>{};
}

Result<void> StreamCore::close_write() {
    if (m_local_fin) return {};
    if (auto ec = write_error()) return ec;
    m_session->send_frame({YamuxType::window_update, yamux_flag::FIN, m_id, 0});
    m_local_fin = true;
    if (m_remote_fin) m_session->forget_stream(m_id);
    return {};
}

void StreamCore::reset() {
    if (m_reset || m_conn_error) return;
    if (!(m_local_fin && m_remote_fin)) m_session->send_frame({YamuxType::window_update, yamux_flag::RST, m_id, 0});
    on_reset();
}

void StreamCore::abandon() {
    if (!(m_local_fin && m_remote_fin)) reset();
}

Result<void> StreamCore::on_data(std::span<const std::uint8_t> data) {
    if (data.size() > m_recv_window) return errc::window_exceeded;
    m_recv_window -= static_cast<std::uint32_t>(data.size());
    if (m_remote_fin || m_reset) return {};  // late data after FIN/RST: counted, dropped
    m_rx.append(data);
    m_session->hold(data.size());
    if (m_in_message) m_last_progress = Clock::now();
    m_readable.notify();
    return {};
}

Result<void> StreamCore::on_window_update(std::uint32_t delta) {
    if (m_send_window + delta > 0xffffffffu) return errc::protocol_violation;
    m_send_window += delta;
    if (delta > 0) m_writable.notify();
    return {};
}

void StreamCore::on_fin() {
    m_remote_fin = true;
    m_readable.notify();
    if (m_local_fin) m_session->forget_stream(m_id);
}

void StreamCore::on_reset() {
    m_reset = true;
    m_readable.notify();
    m_writable.notify();
    m_session->forget_stream(m_id);
}

void StreamCore::on_session_closed(std::error_code ec) {
    m_conn_error = ec;
    m_readable.notify();
    m_writable.notify();
}

}  // namespace chainkit::net::detail
