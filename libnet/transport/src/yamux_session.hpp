#pragma once
// A yamux session over a SecureChannel and its streams (StreamCore; the
// public Stream wraps one). All on one executor. The session keeps its
// streams in a map; a stream keeps its session alive while the user holds it.
// Flow control: we grant each stream the 256 KiB initial window and top it up
// as the application consumes bytes; a peer sending past it is dropped.

#include "secure_channel.hpp"
#include "signal.hpp"
#include "yamux_frame.hpp"

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <chainkit/net/error.hpp>
#include <chainkit/net/peer_id.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chainkit::net::detail {

class YamuxSession;

/// Received bytes held for the application by every session of one host.
struct ReceiveBudget {
    ReceiveBudget(const asio::any_io_executor& ex, std::size_t max) : limit(max), drained(ex) {}
    std::size_t limit;
    std::size_t used = 0;
    std::size_t paused = 0;  // sessions whose reads wait for room
    Signal drained;          // notified on release while a session is paused
};

/// Once the host's budget is spent, a session still reads until it holds this
/// much itself: a peer that holds little (an honest one whose application
/// reads) keeps flowing while the hoarders wait.
inline constexpr std::size_t MIN_RECEIVE_SHARE = 64 << 10;

struct YamuxConfig {
    std::size_t max_streams = 256;
    std::size_t max_write_queue = 1 << 20;
    std::uint32_t stream_window = YAMUX_INITIAL_WINDOW;  // receive window we grant each stream
    std::chrono::milliseconds keepalive{15000};
    std::chrono::milliseconds ping_timeout{10000};
    std::chrono::milliseconds idle_timeout{300000};          // 0 = never
    std::chrono::milliseconds message_stall_timeout{30000};  // 0 = never
    std::size_t receive_budget = 16 << 20;                   // bytes held for the application on this connection
    std::shared_ptr<ReceiveBudget> host_budget;              // shared by the host's sessions; null = unbounded
};

/// Streams of one connection reset for stalling mid-message before the
/// connection itself is dropped: an honest peer rarely stalls even once.
inline constexpr std::size_t MAX_STALLED_STREAMS = 8;

/// Largest data frame we send: header + chunk fill one Noise frame.
inline constexpr std::size_t YAMUX_MAX_CHUNK = NOISE_MAX_PLAINTEXT - YAMUX_HEADER_SIZE;

class StreamCore : public std::enable_shared_from_this<StreamCore> {
public:
    /// `window` is the receive window we grant (the extra over the initial
    /// 256 KiB is announced by the session with the SYN or ACK frame).
    StreamCore(std::shared_ptr<YamuxSession> session, std::uint32_t id, std::uint32_t window);
    ~StreamCore();  // releases what is still buffered from the receive budgets
    StreamCore(const StreamCore&) = delete;
    StreamCore& operator=(const StreamCore&) = delete;

    asio::awaitable<Result<std::size_t>> read_some(std::span<std::uint8_t> buf);
    asio::awaitable<Result<void>> read_exact(std::span<std::uint8_t> buf);
    asio::awaitable<Result<void>> write_all(std::span<const std::uint8_t> data);
    Result<void> close_write();
    void reset();
    /// Moves up to `max` buffered bytes ending at the first '\n' into `line`;
    /// true once the newline was found (not copied). Used by the line reader.
    bool take_line_bytes(std::string& line, std::size_t max);
    /// Waits until bytes, end of stream, reset or a connection error.
    asio::awaitable<Result<void>> wait_readable();
    /// Resets unless both directions are already closed (owner dropped it).
    void abandon();
    std::size_t available() const noexcept { return m_rx.size(); }
    /// Appends up to `n` buffered bytes to `out` and consumes them.
    void take(std::vector<std::uint8_t>& out, std::size_t n);
    /// Bytes the application keeps for this stream outside its buffer (a
    /// partial message) count against the receive budgets too.
    void hold(std::size_t n);
    void release(std::size_t n);

    using Clock = std::chrono::steady_clock;
    /// A message is in progress from its first byte to its last (set by
    /// read_message): the session resets the stream if its bytes stop coming.
    void begin_message() noexcept;
    void end_message() noexcept { m_in_message = false; }
    /// A message is in progress and no byte arrived since `since`.
    bool message_stalled(Clock::time_point since) const noexcept { return m_in_message && m_last_progress < since; }
    /// Counts as progress: the session's reads were paused, not the peer.
    void restart_stall_clock(Clock::time_point now) noexcept { m_last_progress = now; }

    std::uint32_t id() const noexcept { return m_id; }
    const PeerId& remote_peer() const noexcept;
    std::string protocol;

private:
    friend class YamuxSession;
    Result<void> on_data(std::span<const std::uint8_t> data);
    Result<void> on_window_update(std::uint32_t delta);
    void on_fin();
    void on_reset();
    void on_session_closed(std::error_code ec);
    std::size_t buffered() const noexcept { return m_rx.size(); }
    void consume(std::size_t n);
    std::error_code write_error() const;

    std::shared_ptr<YamuxSession> m_session;
    std::uint32_t m_id;
    ByteQueue m_rx;
    std::uint32_t m_window;        // the receive window we grant
    std::uint32_t m_recv_window;   // what the peer may still send
    std::uint32_t m_consumed = 0;  // read by the app, not yet returned to the peer
    std::uint64_t m_send_window = YAMUX_INITIAL_WINDOW;
    bool m_local_fin = false;
    bool m_remote_fin = false;
    bool m_reset = false;
    bool m_in_message = false;
    Clock::time_point m_last_progress;  // of the message in progress
    std::error_code m_conn_error;
    Signal m_readable;
    Signal m_writable;
};

class YamuxSession : public std::enable_shared_from_this<YamuxSession> {
public:
    using StreamFn = std::function<void(std::shared_ptr<StreamCore>)>;
    using ClosedFn = std::function<void(std::error_code)>;

    YamuxSession(std::unique_ptr<SecureChannel> channel, bool is_client, YamuxConfig config);
    void start(StreamFn on_stream, ClosedFn on_closed);
    /// Allocates an id and announces it (SYN) without waiting for the ACK.
    Result<std::shared_ptr<StreamCore>> open_stream();
    /// Idempotent. Pending stream operations fail with `why`.
    void close(std::error_code why, GoAwayCode code = GoAwayCode::normal);

    bool is_closed() const noexcept { return static_cast<bool>(m_closed); }
    const PeerId& remote_peer() const noexcept { return m_channel->remote_peer(); }
    std::size_t stream_count() const noexcept { return m_streams.size(); }
    asio::any_io_executor get_executor() { return m_channel->socket().get_executor(); }

    // For StreamCore.
    /// Queues a frame. Window updates without flags and pings jump ahead of
    /// queued data: a peer's writer may be stalled waiting for them.
    void send_frame(const YamuxHeader& h, std::span<const std::uint8_t> payload = {});
    bool queue_full() const noexcept { return m_pending.bytes.size() >= m_config.max_write_queue; }
    asio::awaitable<void> wait_queue_room() { co_await m_room.wait(); }
    void forget_stream(std::uint32_t id);
    /// Received bytes held for the application (see ReceiveBudget).
    void hold(std::size_t n);
    void release(std::size_t n);

private:
    bool over_budget() const;
    /// Returns once the receive budgets have room (or the session closed):
    /// the socket is not read meanwhile, so TCP pushes back on the peer.
    asio::awaitable<void> wait_receive_room();
    asio::awaitable<void> reader_loop();
    asio::awaitable<void> writer_loop();
    asio::awaitable<void> ticker_loop();
    asio::awaitable<Result<void>> handle_frame(const YamuxHeader& h);
    asio::awaitable<Result<void>> handle_data(const YamuxHeader& h);
    Result<std::shared_ptr<StreamCore>> stream_for(const YamuxHeader& h);
    void apply_stream_flags(StreamCore& s, const YamuxHeader& h);
    Result<void> handle_ping(const YamuxHeader& h);
    void tick();
    /// Resets streams stalled mid-message, or closes the session (true) when
    /// every stream is, or when MAX_STALLED_STREAMS have been.
    bool reset_stalled_streams(std::chrono::steady_clock::time_point now);

    std::unique_ptr<SecureChannel> m_channel;
    bool m_client;
    YamuxConfig m_config;
    std::map<std::uint32_t, std::shared_ptr<StreamCore>> m_streams;
    std::uint32_t m_next_id;
    // Encoded frames waiting for the writer, and where each frame ends (the
    // channel cuts Noise frames only there).
    struct FrameQueue {
        std::vector<std::uint8_t> bytes;
        std::vector<std::size_t> ends;
        void clear() noexcept {
            bytes.clear();
            ends.clear();
        }
    };
    FrameQueue m_urgent;   // window updates and pings
    FrameQueue m_pending;  // everything else, in order
    bool m_writing = false;
    Signal m_wake_writer;
    Signal m_room;
    asio::steady_timer m_ticker;
    std::error_code m_closed;
    StreamFn m_on_stream;
    ClosedFn m_on_closed;
    using Clock = std::chrono::steady_clock;
    Clock::time_point m_idle_since;
    Clock::time_point m_last_ping_sent;
    std::optional<std::uint32_t> m_ping_outstanding;
    std::uint32_t m_ping_counter = 0;
    std::shared_ptr<ReceiveBudget> m_budget;
    std::size_t m_held = 0;
    bool m_paused = false;
    std::size_t m_stalled = 0;  // streams reset for stalling so far
};

}  // namespace chainkit::net::detail
