// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include "pulse_session.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <span>

namespace chainkit::pulse::detail {

namespace {
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
}

Session::Session(asio::any_io_executor ex, std::shared_ptr<net::Stream> stream, net::PeerId peer, net::Direction dir,
                 std::shared_ptr<LineBudget> budget, std::size_t max_line)
    : m_stream(std::move(stream)),
      m_peer(std::move(peer)),
      m_dir(dir),
      m_wake(ex),
      // Evicted during another stream's read: reset now, so the peer learns
      // at once; read_line() reports it.
      m_lines(std::move(budget), max_line, [this] { m_stream->reset(); }) {
    m_wake.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<Session::Received> Session::read_line() {
    using End = Received::End;
    for (;;) {
        if (auto line = m_lines.next_line()) co_return Received{std::move(line), End::none, {}};
        if (m_lines.overlong()) co_return Received{std::nullopt, End::overlong, {}};
        auto r = co_await m_stream->read_some(m_chunk);
        if (m_lines.evicted()) co_return Received{std::nullopt, End::evicted, {}};
        if (!r) {
            std::string rest = m_lines.take_rest();
            if (r.error().code == net::errc::end_of_stream && !rest.empty())
                co_return Received{std::move(rest), End::none, {}};  // the next read ends again
            co_return Received{std::nullopt, End::stream, r.error().code};
        }
        if (!m_lines.append(std::string_view(reinterpret_cast<const char*>(m_chunk.data()), *r)))
            co_return Received{std::nullopt, End::over_budget, {}};
    }
}

void Session::remember_line(std::string_view line) {
    m_remembered.emplace(line.size(), std::hash<std::string_view>{}(line));
}

bool Session::same_as_remembered(std::string_view line) const {
    return m_remembered && m_remembered->first == line.size() &&
           m_remembered->second == std::hash<std::string_view>{}(line);
}

void Session::queue(std::shared_ptr<const std::string> line) {
    if (m_closed) return;
    m_pending = std::move(line);
    m_wake.cancel();
}

asio::awaitable<void> Session::write_loop(std::shared_ptr<Session> self) {
    co_await self->write_lines();
}

asio::awaitable<void> Session::write_lines() {
    while (!m_closed) {
        if (!m_pending) {
            m_wake.expires_at(asio::steady_timer::time_point::max());
            co_await m_wake.async_wait(use_nothrow);  // cancel() is the wake-up
            continue;
        }
        std::shared_ptr<const std::string> line = std::move(m_pending);
        m_pending.reset();
        m_write_started = std::chrono::steady_clock::now();
        auto r = co_await m_stream->write(std::span(reinterpret_cast<const std::uint8_t*>(line->data()), line->size()));
        m_write_started.reset();
        if (!r) {
            if (!m_closed) spdlog::info("pulse: write to {} failed: {}", label(), r.error().message);
            close();
        }
    }
}

void Session::close() {
    if (m_closed) return;
    m_closed = true;
    m_pending.reset();
    m_lines.take_rest();  // back to the budget now, not when the writer lets go
    m_wake.cancel();
    m_stream->reset();
}

bool Session::write_stalled(std::chrono::milliseconds limit) const {
    return m_write_started && std::chrono::steady_clock::now() - *m_write_started > limit;
}

std::string Session::label() const {
    return fmt::format("{} ({})", m_peer.to_string(), m_dir == net::Direction::inbound ? "in" : "out");
}

}  // namespace chainkit::pulse::detail
