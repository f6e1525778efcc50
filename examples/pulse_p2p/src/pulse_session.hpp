#pragma once
// One open /p2p/1.0.0 stream of a PulseNode (private). The write side holds a
// single "latest chain" slot rather than a queue: each line carries the whole
// chain, so a newer line supersedes an unsent older one and the memory a slow
// peer can pin is one line. The read side splits lines itself (not with
// Stream::read_line) so that partial lines count against the node-wide
// LineBudget. Lives on the host's executor.

// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <array>
#include <chainkit/net/host.hpp>
#include <chainkit/net/stream.hpp>
#include <chainkit/pulse/line_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace chainkit::pulse::detail {

class Session {
public:
    Session(asio::any_io_executor ex, std::shared_ptr<net::Stream> stream, net::PeerId peer, net::Direction dir,
            std::shared_ptr<LineBudget> budget, std::size_t max_line);

    /// What read_line() got: a line, or why there is none.
    struct Received {
        // over_budget: this stream's bytes did not fit the node-wide budget;
        // evicted: the budget reset this stream to make room for another.
        enum class End { none, stream, overlong, over_budget, evicted };
        std::optional<std::string> line;
        End end = End::none;
        std::error_code ec;  // End::stream: why it ended
    };
    /// The next line without its '\n' (a last line without one at the end of
    /// the stream). Not concurrently with itself.
    asio::awaitable<Received> read_line();

    /// Replaces the unsent line, if any, and wakes the writer.
    void queue(std::shared_ptr<const std::string> line);
    /// Writes queued lines until close() or a write error. Takes the session
    /// by value so that the coroutine frame keeps it alive.
    static asio::awaitable<void> write_loop(std::shared_ptr<Session> self);
    /// Resets the stream (failing its pending read/write) and ends the writer.
    void close();
    /// True if a write has been in progress for longer than `limit`.
    bool write_stalled(std::chrono::milliseconds limit) const;

    net::Stream& stream() { return *m_stream; }
    const net::PeerId& peer() const { return m_peer; }
    net::Direction direction() const { return m_dir; }
    bool closed() const { return m_closed; }
    /// Bytes of partial line it held when the budget evicted it.
    std::optional<std::size_t> evicted() const { return m_lines.evicted(); }
    int add_fault() { return ++m_faults; }
    /// Remembers a line that was handled without a fault, so that the same
    /// line again can be skipped unparsed: our chain only ever grows, so its
    /// outcome (not longer than ours) cannot change.
    void remember_line(std::string_view line);
    bool same_as_remembered(std::string_view line) const;
    /// "12D3KooW...abcd (in)" for log lines.
    std::string label() const;

private:
    asio::awaitable<void> write_lines();

    std::shared_ptr<net::Stream> m_stream;
    net::PeerId m_peer;
    net::Direction m_dir;
    asio::steady_timer m_wake;
    std::shared_ptr<const std::string> m_pending;
    std::optional<std::chrono::steady_clock::time_point> m_write_started;
    LineBuffer m_lines;
    std::array<std::uint8_t, 16 * 1024> m_chunk{};
    // Size and std::hash of the remembered line: a collision only makes this
    // peer's own next line be ignored, which it could do by not sending it.
    std::optional<std::pair<std::size_t, std::size_t>> m_remembered;
    int m_faults = 0;
    bool m_closed = false;
};

}  // namespace chainkit::pulse::detail
