#include "connection_lobby.hpp"

#include "thread_priority.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <array>
#include <cerrno>
#include <future>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chainkit::rpc::detail {
namespace {

using Clock = std::chrono::steady_clock;

// The request head ends with a blank line (httplib accepts CRLF only).
bool head_complete(const std::string& buffered) {
    return buffered.find("\r\n\r\n") != std::string::npos;
}

asio::ip::tcp protocol_of(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 && addr.ss_family == AF_INET6)
        return asio::ip::tcp::v6();
    return asio::ip::tcp::v4();
}

}  // namespace

struct ConnectionLobby::Waiting {
    explicit Waiting(asio::io_context& io) : socket(io), timer(io) {}
    asio::ip::tcp::socket socket;
    asio::steady_timer timer;
    Connection conn;
    Clock::time_point began;
    std::list<WaitingPtr>::iterator place;
    bool done = false;  // dispatched or dropped: late handlers do nothing
    std::array<char, 4096> chunk{};
};

ConnectionLobby::ConnectionLobby(LobbyLimits limits, std::size_t threads, Serve serve, LobbyPriorities priorities)
    : m_limits(limits),
      m_serve(std::move(serve)),
      m_busy(std::move(priorities.busy)),
      // A connection is queued at most once, so the queue never blocks the lobby thread.
      m_pool(threads, m_limits.max_connections + 1, priorities.nice),
      m_busy_pool(m_busy
                      ? std::make_unique<BoundedTaskQueue>(threads, m_limits.max_connections + 1, priorities.busy_nice)
                      : nullptr),
      m_thread([this, nice = priorities.nice] {
          lower_this_thread_priority(nice);
          m_io.run();
      }) {}

ConnectionLobby::~ConnectionLobby() {
    stop();
}

void ConnectionLobby::admit(int fd) {
    if (m_stopping) {
        ::close(fd);
        return;
    }
    ++m_open;
    asio::post(m_io, [this, fd] { start_wait(Connection{.fd = fd, .buffered = {}, .served = 0}); });
}

void ConnectionLobby::wait_again(Connection c) {
    asio::post(m_io, [this, c = std::move(c)]() mutable { start_wait(std::move(c)); });
}

bool ConnectionLobby::next_head_ready(Connection& c) {
    const auto deadline = Clock::now() + m_limits.keep_alive_grace;
    const auto ready = [&] { return head_complete(c.buffered) || c.buffered.size() >= m_limits.max_head_bytes; };
    auto& pool = pool_for(c);
    // The node became busy or no longer is: the lobby sends the next request to the other pool.
    if (busy_now() != c.busy_pool) return false;
    while (!ready()) {
        // Waiting only while no other connection waits for a thread.
        if (m_stopping || pool.queued() > 0) return false;
        std::array<char, 4096> chunk;
        const auto n = ::recv(c.fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
        if (n > 0) {
            c.buffered.append(chunk.data(), static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return false;
        if (n < 0 && errno == EINTR) continue;
        const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        const timespec wait{.tv_sec = left / 1'000'000'000, .tv_nsec = left % 1'000'000'000};
        pollfd p{.fd = c.fd, .events = POLLIN, .revents = 0};
        if (::ppoll(&p, 1, &wait, nullptr) < 0 && errno != EINTR) return false;
    }
    // Checked again: the state may have changed while this thread waited.
    return !m_stopping && pool.queued() == 0 && busy_now() == c.busy_pool;
}

void ConnectionLobby::close(Connection& c) {
    if (c.fd < 0) return;
    ::close(c.fd);
    c.fd = -1;
    --m_open;
}

void ConnectionLobby::start_wait(Connection c) {
    if (m_closed_lobby) return close(c);
    // Room first: the new connection may be the one a client waits on.
    if (m_open > m_limits.max_connections && !m_waiting.empty()) drop(m_waiting.front());
    auto w = std::make_shared<Waiting>(m_io);
    std::error_code ec;
    w->socket.assign(protocol_of(c.fd), c.fd, ec);
    if (ec) return close(c);
    w->conn = std::move(c);
    w->began = Clock::now();
    w->place = m_waiting.insert(m_waiting.end(), w);
    if (head_complete(w->conn.buffered)) return dispatch(w);
    w->timer.expires_at(w->began + m_limits.idle_timeout);
    w->timer.async_wait([this, w](std::error_code e) {
        if (!e) on_timer(w);
    });
    read_more(w);
}

void ConnectionLobby::read_more(const WaitingPtr& w) {
    w->socket.async_read_some(asio::buffer(w->chunk), [this, w](std::error_code ec, std::size_t n) {
        if (w->done) return;
        if (ec) return drop(w);  // closed by the client, or reset
        w->conn.buffered.append(w->chunk.data(), n);
        if (head_complete(w->conn.buffered) || w->conn.buffered.size() >= m_limits.max_head_bytes) return dispatch(w);
        read_more(w);
    });
}

void ConnectionLobby::on_timer(const WaitingPtr& w) {
    if (w->done) return;
    const auto head_deadline = w->began + m_limits.head_timeout;
    // Silent since it began waiting, or a head still incomplete: closed unanswered.
    if (w->conn.buffered.empty() || Clock::now() >= head_deadline) return drop(w);
    w->timer.expires_at(head_deadline);
    w->timer.async_wait([this, w](std::error_code e) {
        if (!e) on_timer(w);
    });
}

void ConnectionLobby::retire(Waiting& w) {
    w.done = true;
    m_waiting.erase(w.place);  // the caller's own WaitingPtr keeps `w` alive
    w.timer.cancel();
}

void ConnectionLobby::dispatch(WaitingPtr w) {
    retire(*w);
    std::error_code ec;
    w->socket.cancel(ec);
    Connection c = std::move(w->conn);
    c.fd = w->socket.release(ec);
    if (ec) {
        w->socket.close(ec);
        --m_open;
        return;
    }
    c.busy_pool = busy_now();
    auto& pool = pool_for(c);
    pool.enqueue([this, c = std::move(c)]() mutable { m_serve(std::move(c)); });
}

void ConnectionLobby::drop(WaitingPtr w) {
    retire(*w);
    std::error_code ec;
    w->socket.close(ec);
    --m_open;
}

void ConnectionLobby::stop() {
    if (m_stopped) return;
    m_stopped = true;
    m_stopping = true;
    // On the lobby thread: close the waiting connections and dispatch no more.
    std::promise<void> closed;
    asio::post(m_io, [this, &closed] {
        m_closed_lobby = true;
        while (!m_waiting.empty()) drop(m_waiting.front());
        closed.set_value();
    });
    closed.get_future().wait();
    // Requests being answered finish; their wait_again() lands in the closed lobby.
    m_pool.shutdown();
    if (m_busy_pool) m_busy_pool->shutdown();
    m_guard.reset();
    m_thread.join();
}

}  // namespace chainkit::rpc::detail
