#include "chainkit/rpc/server.hpp"

#include "chainkit/rpc/cookie.hpp"

#include "connection_lobby.hpp"
#include "explorer_routes.hpp"
#include "socket_stream.hpp"

#include <atomic>
#include <httplib.h>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

namespace chainkit::rpc {
namespace {

// httplib's accept loop with the connections handed to the lobby instead of
// a thread each (connection_lobby.hpp); httplib parses, routes and answers.
class HttpServer final : public httplib::Server {
public:
    std::function<void(int)> admit;

    // One request on `stream`; false when the connection cannot go on.
    bool serve_request(httplib::Stream& stream, bool close_after, bool& closed) {
        return process_request(stream, close_after, closed, nullptr);
    }

private:
    // Called by the accept loop (through InlineQueue) for each accepted socket.
    bool process_and_close_socket(socket_t sock) override {
        admit(sock);
        return true;
    }
};

// The accept loop's "task queue": admission runs on the accepting thread
// (it never blocks); the lobby has the thread pool.
class InlineQueue final : public httplib::TaskQueue {
public:
    void enqueue(std::function<void()> fn) override { fn(); }
    void shutdown() override {}
};

}  // namespace

struct RpcServer::Impl {
    ServerConfig config;
    const MethodRegistry& methods;
    MethodRegistry read_only;  // POST /api: built at start(), when `methods` is complete
    HttpServer http;
    std::unique_ptr<detail::ConnectionLobby> lobby;
    std::optional<Cookie> cookie;
    std::thread listener;
    std::atomic<bool> listener_done{false};
    socket_t listen_socket = INVALID_SOCKET;  // set while binding
    int port = 0;
    bool started = false;

    Impl(ServerConfig c, const MethodRegistry& m) : config(std::move(c)), methods(m) {}

    void configure();
    void serve(detail::Connection c);
    bool answer_one(detail::Connection& c);
    httplib::Server::HandlerResponse check_request(const httplib::Request& req, httplib::Response& res) const;
    void serve_rpc(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) const;
};

namespace {

// The kernel queues this many connections not yet accepted (httplib's
// compiled-in backlog is 5: a burst overflows it and Linux resets some).
constexpr int LISTEN_BACKLOG = 1024;
// A request line and headers longer than this are handed to httplib as
// they are, which refuses them (its own limits are 8 KiB per line).
constexpr std::size_t MAX_REQUEST_HEAD_BYTES = 16 * 1024;

void refuse(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(message + "\n", "text/plain");
}

}  // namespace

void RpcServer::Impl::configure() {
    lobby = std::make_unique<detail::ConnectionLobby>(
        detail::LobbyLimits{.max_connections = config.max_connections,
                            .max_head_bytes = MAX_REQUEST_HEAD_BYTES,
                            .idle_timeout = config.keep_alive_timeout,
                            .head_timeout = config.read_timeout,
                            .keep_alive_grace = config.keep_alive_grace},
        config.threads, [this](detail::Connection c) { serve(std::move(c)); },
        detail::LobbyPriorities{
            .nice = config.thread_nice, .busy_nice = config.busy_thread_nice, .busy = config.node_busy});
    http.admit = [l = lobby.get()](int fd) { l->admit(fd); };
    http.new_task_queue = [] { return new InlineQueue; };
    http.set_payload_max_length(config.max_body_bytes);  // Content-Length above it: 413, body skipped
    http.set_tcp_nodelay(true);
    // httplib's default sets SO_REUSEPORT, which would let a second server
    // bind the same port and receive part of the connections.
    http.set_socket_options([this](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        listen_socket = sock;
    });
    http.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return check_request(req, res); });
    http.Post("/", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        serve_rpc(req, res, reader);
    });
    read_only = read_only_subset(methods);
    detail::add_explorer_routes(http, config, read_only);
}

// A connection on a pool thread, its request head already read by the
// lobby: its requests are answered here while the next one is already there
// (ConnectionLobby::next_head_ready), then it goes back to the lobby.
void RpcServer::Impl::serve(detail::Connection c) {
    do {
        if (!answer_one(c)) return lobby->close(c);
    } while (lobby->next_head_ready(c));
    lobby->wait_again(std::move(c));
}

// One request: its body must arrive within read_timeout, each write within
// write_timeout. False when the connection is to be closed.
bool RpcServer::Impl::answer_one(detail::Connection& c) {
    const auto deadline = detail::SocketStream::Clock::now() + config.read_timeout;
    detail::SocketStream stream(c.fd, std::move(c.buffered), deadline, config.write_timeout);
    const bool last = ++c.served >= config.keep_alive_max_requests || lobby->stopping();
    bool closed = false;
    const bool ok = http.serve_request(stream, last, closed);
    if (!ok || closed || last) return false;
    c.buffered = stream.take_unread();
    return true;
}

// Runs on the headers, before any body byte is read. Only what no JSON-RPC
// client sends is refused here: the unread body then desynchronizes that
// client's own connection, never another one.
httplib::Server::HandlerResponse RpcServer::Impl::check_request(const httplib::Request& req,
                                                                httplib::Response& res) const {
    // httplib would parse multipart bodies and inflate compressed ones: neither is JSON-RPC.
    if (req.get_header_value("Content-Type").starts_with("multipart/") || req.has_header("Content-Encoding")) {
        refuse(res, 415, "the body must be plain JSON");
        return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
}

void RpcServer::Impl::serve_rpc(const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& reader) const {
    // The body is read (bounded) before the credentials are checked, so that
    // a keep-alive connection stays in step after a 401 (clients retry on it).
    std::string body;
    bool too_large = false;
    // httplib refuses a Content-Length above max_body_bytes itself (413, the
    // body skipped unread); chunked bodies and bodies without a length are
    // bounded here.
    const bool read = reader([&](const char* data, std::size_t n) {
        if (n > config.max_body_bytes - body.size()) {
            too_large = true;
            return false;
        }
        body.append(data, n);
        return true;
    });
    if (too_large || res.status == 413)
        return refuse(res, 413, "body exceeds " + std::to_string(config.max_body_bytes) + " bytes");
    if (!read) return refuse(res, 400, "the body could not be read");
    if (!cookie || !cookie->authorizes(req.get_header_value("Authorization"))) {
        res.set_header("WWW-Authenticate", "Basic realm=\"jsonrpc\"");
        return refuse(res, 401, "authorization required: the credentials are in the data directory's .cookie");
    }
    auto answer = handle_jsonrpc(methods, body, config.limits);
    if (!answer) {
        res.status = 204;
        return;
    }
    res.status = 200;
    res.set_content(std::move(*answer), "application/json");
}

RpcServer::RpcServer(ServerConfig config, const MethodRegistry& methods)
    : m_impl(std::make_unique<Impl>(std::move(config), methods)) {}

RpcServer::~RpcServer() {
    stop();
}

Result<void> RpcServer::start() {
    auto& d = *m_impl;
    if (d.started) return Error{std::make_error_code(std::errc::operation_in_progress), "rpc server already started"};
    d.configure();
    d.port = d.config.port == 0 ? d.http.bind_to_any_port(d.config.bind_address)
                                : (d.http.bind_to_port(d.config.bind_address, d.config.port) ? d.config.port : -1);
    if (d.port <= 0)
        return Error{std::make_error_code(std::errc::address_in_use),
                     "rpc: cannot listen on " + d.config.bind_address + ":" + std::to_string(d.config.port)};
    // The packaged library listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG
    // is compiled in): a burst of connections then overflows it and Linux
    // resets some. Listening again on the bound socket only raises the backlog.
    if (d.listen_socket != INVALID_SOCKET) ::listen(d.listen_socket, LISTEN_BACKLOG);
    auto cookie = Cookie::create(d.config.cookie_dir / COOKIE_FILE_NAME);
    if (!cookie) {
        d.http.stop();  // closes the bound socket (not listening yet)
        return Error{cookie.error().code, "rpc: " + cookie.error().message};
    }
    d.cookie.emplace(std::move(cookie).value());
    d.started = true;
    d.listener = std::thread([&d] {
        d.http.listen_after_bind();
        d.listener_done = true;
    });
    // stop() only acts on a running server: wait until the loop runs so
    // that an early stop() cannot be lost and leave listen running forever.
    while (!d.http.is_running() && !d.listener_done) std::this_thread::yield();
    return {};
}

void RpcServer::stop() {
    auto& d = *m_impl;
    if (!d.started) return;
    d.started = false;
    d.http.stop();
    if (d.listener.joinable()) d.listener.join();
    if (d.lobby) d.lobby->stop();  // after the accept loop: nothing is admitted any more
    if (d.cookie) d.cookie->remove();
    d.cookie.reset();
}

std::uint16_t RpcServer::port() const noexcept {
    return static_cast<std::uint16_t>(m_impl->port);
}

std::filesystem::path RpcServer::cookie_path() const {
    return m_impl->config.cookie_dir / COOKIE_FILE_NAME;
}

}  // namespace chainkit::rpc
