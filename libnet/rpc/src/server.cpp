#include "chainkit/rpc/server.hpp"

#include "chainkit/rpc/cookie.hpp"

#include "explorer_routes.hpp"
#include "task_queue.hpp"

#include <atomic>
#include <httplib.h>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

namespace chainkit::rpc {

struct RpcServer::Impl {
    ServerConfig config;
    const MethodRegistry& methods;
    MethodRegistry read_only;  // POST /api: built at start(), when `methods` is complete
    httplib::Server http;
    std::optional<Cookie> cookie;
    std::thread listener;
    std::atomic<bool> listener_done{false};
    socket_t listen_socket = INVALID_SOCKET;  // set while binding
    int port = 0;
    bool started = false;

    Impl(ServerConfig c, const MethodRegistry& m) : config(std::move(c)), methods(m) {}

    void configure();
    httplib::Server::HandlerResponse check_request(const httplib::Request& req, httplib::Response& res) const;
    void serve_rpc(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) const;
};

namespace {

constexpr int LISTEN_BACKLOG = 1024;

void refuse(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(message + "\n", "text/plain");
}

}  // namespace

void RpcServer::Impl::configure() {
    http.new_task_queue = [this] {
        return new detail::BoundedTaskQueue(config.threads, config.max_queued_connections);
    };
    http.set_read_timeout(config.read_timeout);
    http.set_write_timeout(config.write_timeout);
    http.set_keep_alive_timeout(config.keep_alive_timeout.count());
    http.set_keep_alive_max_count(config.keep_alive_max_requests);
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
