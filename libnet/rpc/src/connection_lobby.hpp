// Where the RPC server's connections wait between requests, so that a
// connection costs a pool thread only while a whole request head is there
// to answer: cpp-httplib serves a connection on one thread from accept to
// close, so 8 idle or half-sent connections (slowloris) would hold all 8
// threads and leave every other client waiting in the backlog.
//
// One thread waits on every connection at once (asio): a connection whose
// request head (up to the blank line) has arrived goes to the pool, whose
// serve function answers it and hands it back with wait_again() or closes it.
// A keep-alive client's next request that is already there when its answer
// is written (pipelined, or sent within keep_alive_grace) skips the lobby:
// the pool thread answers it at once (next_head_ready()), unless another
// connection waits for a pool thread. Each hop through the lobby costs two
// thread wake-ups and an epoll registration, more than a status call itself.
// Bounds: a waiting connection with no byte of a request after idle_timeout,
// or without its whole head after head_timeout, is closed unanswered; at
// most max_connections are open, and a new one past that makes room by
// closing the connection that has waited longest (an idle or half-sent one:
// connections being answered are never closed for room).
//
// Thread-safety: admit() from the accepting thread, wait_again(),
// next_head_ready() and close() from the pool threads, stop() from one thread after the accepting
// thread stopped calling admit().
#pragma once

#include "task_queue.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace chainkit::rpc::detail {

struct Connection {
    int fd = -1;
    std::string buffered;    // read from the socket, not yet given to httplib
    std::size_t served = 0;  // requests answered on it so far
    bool busy_pool = false;  // being answered by the busy pool (LobbyPriorities)
};

struct LobbyLimits {
    std::size_t max_connections = 512;
    std::size_t max_head_bytes = 16 * 1024;  // a longer head is handed over as is (httplib refuses it)
    std::chrono::milliseconds idle_timeout{2'000};
    std::chrono::milliseconds head_timeout{5'000};
    // How long a pool thread, after an answer, waits for the same
    // connection's next request before handing it to the lobby (0: only a
    // request already received). It holds the thread, not a CPU.
    std::chrono::microseconds keep_alive_grace{0};
};

// The threads' nice values. While `busy` returns true (the node has work
// that must come first), connections go to a second pool at busy_nice, and
// the keep-alive fast path hands a connection back when `busy` changed, so
// its next request goes to the pool of the moment. Two pools because an
// unprivileged thread can raise its nice value but never lower it back.
struct LobbyPriorities {
    int nice = 0;  // the lobby thread and the pool
    int busy_nice = 0;
    std::function<bool()> busy;  // unset: one pool, never busy
};

class ConnectionLobby {
public:
    using Serve = std::function<void(Connection)>;

    // `threads` per pool; nice values > 0 lower the threads' priority.
    ConnectionLobby(LobbyLimits limits, std::size_t threads, Serve serve, LobbyPriorities priorities = {});
    ~ConnectionLobby();  // stop()s
    ConnectionLobby(const ConnectionLobby&) = delete;
    ConnectionLobby& operator=(const ConnectionLobby&) = delete;

    // Takes ownership of an accepted socket. Never blocks.
    void admit(int fd);
    // A connection answered and kept alive: waits for its next request
    // (`buffered` may already hold it).
    void wait_again(Connection c);
    // On the pool thread that answered `c`: reads what its socket holds
    // (waiting at most keep_alive_grace for it) into c.buffered. True when
    // a whole request head (or max_head_bytes) is buffered, no other
    // connection waits for a thread of c's pool and c's pool is still the
    // one of the moment (LobbyPriorities): the caller answers it now. False:
    // the caller hands `c` to wait_again() (its bytes kept; a client that
    // closed is seen and dropped there).
    [[nodiscard]] bool next_head_ready(Connection& c);
    // Closes a connection the pool is done with.
    void close(Connection& c);
    // True once stop() began: the pool answers with "Connection: close".
    [[nodiscard]] bool stopping() const noexcept { return m_stopping; }
    // Closes the waiting connections, lets the pool finish the requests it
    // holds, joins every thread. Idempotent.
    void stop();

    // Connections open (waiting or being answered), for tests.
    [[nodiscard]] std::size_t open_connections() const noexcept { return m_open; }

private:
    struct Waiting;
    using WaitingPtr = std::shared_ptr<Waiting>;

    void start_wait(Connection c);  // the lobby thread, as every method below
    void read_more(const WaitingPtr& w);
    void on_timer(const WaitingPtr& w);
    // Out of the waiting list; late handlers see `done` and do nothing.
    void retire(Waiting& w);
    // By value: both retire the entry, and the list may hold its only other
    // owner (drop(m_waiting.front())), so a reference would dangle.
    void dispatch(WaitingPtr w);
    void drop(WaitingPtr w);
    [[nodiscard]] bool busy_now() const { return m_busy && m_busy(); }
    [[nodiscard]] BoundedTaskQueue& pool_for(const Connection& c) { return c.busy_pool ? *m_busy_pool : m_pool; }

    LobbyLimits m_limits;
    Serve m_serve;
    std::atomic<std::size_t> m_open{0};
    std::atomic<bool> m_stopping{false};
    bool m_closed_lobby = false;      // lobby thread: no more waiting, no more dispatch
    std::list<WaitingPtr> m_waiting;  // lobby thread; longest waiting first
    asio::io_context m_io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> m_guard{m_io.get_executor()};
    std::function<bool()> m_busy;
    BoundedTaskQueue m_pool;
    std::unique_ptr<BoundedTaskQueue> m_busy_pool;  // only with a `busy` predicate
    std::thread m_thread;
    bool m_stopped = false;
};

}  // namespace chainkit::rpc::detail
