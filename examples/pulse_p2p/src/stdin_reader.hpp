#pragma once
// The one reader of standard input (private to pulse_p2p): delivers each line
// (without '\n') on the executor. A pollable stdin (terminal, pipe) is read
// with an asio stream_descriptor; a regular file or /dev/null, which epoll
// refuses, is read by a thread that hands the executor one chunk at a time
// (so a large file is never queued whole) and ends at EOF. Lines over
// `max_line` bytes are reported as too long and skipped, never buffered
// whole. Use from the executor's thread.

// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include <asio/any_io_executor.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace chainkit::pulse {

class StdinReader {
public:
    using LineHandler = std::function<void(std::string line, bool too_long)>;
    using EofHandler = std::function<void()>;

    StdinReader(asio::any_io_executor ex, std::size_t max_line, LineHandler on_line, EofHandler on_eof);
    ~StdinReader();  // stop()s and joins the fallback thread
    StdinReader(const StdinReader&) = delete;
    StdinReader& operator=(const StdinReader&) = delete;

    void start();
    /// Stops delivering lines (the fallback thread ends after its current read).
    void stop();

    struct State;  // shared with the reader coroutine or thread

private:
    std::shared_ptr<State> m_state;
    std::thread m_thread;
};

}  // namespace chainkit::pulse
