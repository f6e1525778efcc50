// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include "stdin_reader.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <future>
#include <string_view>
#include <unistd.h>

namespace chainkit::pulse {

// Shared by the reader (coroutine or thread) and the owner. Everything but
// `stopped` is touched only on the executor; `stopped` lets lines that arrive
// after stop() be dropped.
struct StdinReader::State {
    asio::any_io_executor executor;
    std::size_t max_line = 0;
    LineHandler on_line;
    EofHandler on_eof;
    std::atomic<bool> stopped{false};
    std::unique_ptr<asio::posix::stream_descriptor> in;
    int saved_flags = -1;  // stdin's file status flags, restored at the end
    std::string partial;
    bool discarding = false;  // inside a line already known to be too long

    void feed(std::string_view chunk) {
        while (!chunk.empty()) {
            auto nl = chunk.find('\n');
            std::string_view piece = chunk.substr(0, nl);
            if (!discarding) {
                if (partial.size() + piece.size() > max_line) {
                    discarding = true;
                    partial.clear();
                } else {
                    partial.append(piece);
                }
            }
            if (nl == std::string_view::npos) return;
            deliver();
            chunk.remove_prefix(nl + 1);
        }
    }

    void deliver() {
        std::string line = std::move(partial);
        bool too_long = discarding;
        partial.clear();
        discarding = false;
        if (!stopped && on_line) on_line(std::move(line), too_long);
    }

    void finish() {
        if (!partial.empty() || discarding) deliver();
        if (!stopped && on_eof) on_eof();
    }
};

namespace {

asio::awaitable<void> read_async(std::shared_ptr<StdinReader::State> st) {
    char buf[4096];
    for (;;) {
        auto [ec, n] =
            co_await st->in->async_read_some(asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable));
        if (st->stopped) co_return;
        st->feed(std::string_view(buf, n));
        if (ec) break;
    }
    st->finish();
}

}  // namespace

StdinReader::StdinReader(asio::any_io_executor ex, std::size_t max_line, LineHandler on_line, EofHandler on_eof)
    : m_state(std::make_shared<State>()) {
    m_state->executor = std::move(ex);
    m_state->max_line = max_line;
    m_state->on_line = std::move(on_line);
    m_state->on_eof = std::move(on_eof);
}

StdinReader::~StdinReader() {
    stop();
    if (m_thread.joinable()) m_thread.join();
    m_state->in.reset();
    // asio made the (shared) open file description non-blocking; a shell
    // sharing our terminal must not inherit that.
    if (m_state->saved_flags >= 0) ::fcntl(STDIN_FILENO, F_SETFL, m_state->saved_flags);
}

void StdinReader::start() {
    auto st = m_state;
    st->saved_flags = ::fcntl(STDIN_FILENO, F_GETFL);
    int fd = ::dup(STDIN_FILENO);
    if (fd >= 0) {
        st->in = std::make_unique<asio::posix::stream_descriptor>(st->executor);
        std::error_code ec;
        st->in->assign(fd, ec);
        if (!ec) {
            asio::co_spawn(st->executor, read_async(st), asio::detached);
            return;
        }
        st->in.reset();
        ::close(fd);
    }
    // Not pollable: a thread reads to EOF (files and /dev/null never block long).
    // One chunk at a time: a file is read far faster than its lines are
    // handled, and posting every chunk at once would queue the whole file.
    m_thread = std::thread([st] {
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0 || st->stopped) break;
            auto fed = asio::post(
                st->executor,
                asio::use_future([st, chunk = std::string(buf, static_cast<std::size_t>(n))] { st->feed(chunk); }));
            // Polled, so that stop() still ends the thread if the executor
            // never runs the handler.
            while (fed.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
                if (st->stopped) return;
        }
        asio::post(st->executor, [st] { st->finish(); });
    });
}

void StdinReader::stop() {
    m_state->stopped = true;
    if (m_state->in) {
        std::error_code ignored;
        m_state->in->cancel(ignored);
    }
}

}  // namespace chainkit::pulse
