// The JSON-RPC server: cpp-httplib on a bounded thread pool, cookie
// authentication (cookie.hpp) and JSON-RPC 2.0 (jsonrpc.hpp) at POST /.
// Beside it, without the cookie: the explorer page (GET /, its files from
// www_dir), the read-only methods of explorer.hpp at POST /api, and
// Prometheus metrics at GET /metrics (docs/rpc.md).
//
// Every request at POST / needs the cookie as HTTP Basic credentials (401 otherwise).
// Bodies are bounded (413 above max_body_bytes, whatever the transfer
// encoding; never held in memory beyond the bound); multipart and
// compressed bodies are refused (415).
//
// Connections (docs/rpc.md, "Connections and limits"): httplib accepts and
// parses, but between requests a connection waits in a lobby served by one
// thread, and takes one of `threads` pool threads only once its whole request
// head has arrived, so idle or half-sent connections hold no thread. A
// connection silent for keep_alive_timeout, or whose head is not complete
// read_timeout after it began waiting, is closed; a body must arrive within
// read_timeout of its head. At most max_connections are open: one more
// closes the one that has waited longest for its request; the kernel's
// backlog (1,024) holds connections not yet accepted.
//
// Thread-safety: start() and stop() from one thread; the methods and the
// handlers they call run on the pool threads.
#pragma once

#include "chainkit/chain/result.hpp"
#include "chainkit/rpc/explorer.hpp"
#include "chainkit/rpc/jsonrpc.hpp"
#include "chainkit/rpc/registry.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace chainkit::rpc {

struct ServerConfig {
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;            // 0: the OS picks one (port() tells which)
    std::filesystem::path cookie_dir;  // the data directory: <cookie_dir>/.cookie
    std::size_t max_body_bytes = 1u << 20;
    std::size_t threads = 8;            // requests answered at once
    std::size_t max_connections = 512;  // open at once (each one descriptor)
    std::chrono::seconds read_timeout{5};
    std::chrono::seconds write_timeout{5};
    std::chrono::seconds keep_alive_timeout{2};  // a connection silent this long is closed
    std::size_t keep_alive_max_requests = 10'000;
    // After an answer, how long the pool thread waits for the same
    // connection's next request before handing the connection back to the
    // lobby (docs/rpc.md, "Connections and limits"); only while no other
    // connection waits for a thread.
    std::chrono::microseconds keep_alive_grace{500};
    // The server's threads run at this nice value (0: the process's), so
    // that on a small machine the node's own threads (sync, consensus) come
    // before answering RPC clients as fast as they ask (docs/rpc.md).
    int thread_nice = 10;
    // True while the node has work that must come first, such as blocks to
    // download (busy_while_downloading in node_methods.hpp): requests are
    // then answered by a second set of `threads` threads at busy_thread_nice,
    // so a client asking as fast as it can takes almost nothing from the
    // sync, and once it returns false they are answered at thread_nice
    // again (an unprivileged thread can raise its nice value but never lower
    // it back, hence two sets). Called once per request; must be cheap and
    // thread-safe. Unset: always thread_nice.
    std::function<bool()> node_busy;
    int busy_thread_nice = 19;
    JsonRpcLimits limits;
    // The explorer page's files; empty: GET / answers 404.
    std::filesystem::path www_dir = default_www_dir();
    // The text of GET /metrics (metrics.hpp: node_metrics); unset: 404. Runs
    // on a pool thread.
    std::function<std::string()> metrics;
};

class RpcServer {
public:
    // `methods` must outlive the server and not change while it runs.
    RpcServer(ServerConfig config, const MethodRegistry& methods);
    ~RpcServer();  // stop()s
    RpcServer(const RpcServer&) = delete;
    RpcServer& operator=(const RpcServer&) = delete;

    // Binds, writes the cookie, starts serving. Fails (nothing left running,
    // no cookie left behind) if the address cannot be bound or the cookie
    // cannot be written. Call once.
    [[nodiscard]] Result<void> start();
    // Stops accepting, closes the connections waiting for a request, lets
    // the requests being answered finish (each bounded by the timeouts),
    // joins the threads and removes the cookie. Idempotent.
    void stop();

    [[nodiscard]] std::uint16_t port() const noexcept;
    [[nodiscard]] std::filesystem::path cookie_path() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace chainkit::rpc
