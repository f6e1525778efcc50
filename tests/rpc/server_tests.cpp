// The HTTP server with a fake method registry: cookie authentication, body
// bounds, JSON-RPC errors through real HTTP, concurrency, start and stop.
#include "chainkit/rpc/client.hpp"
#include "chainkit/rpc/cookie.hpp"
#include "chainkit/rpc/server.hpp"

#include "support/scratch_dir.hpp"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <httplib.h>
#include <mutex>
#include <random>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace chainkit;
using rpc::Json;

namespace {

struct ServerFixture {
    test::ScratchDir dir{"rpc-server"};
    rpc::MethodRegistry methods;
    std::unique_ptr<rpc::RpcServer> server;
    std::string credentials;

    explicit ServerFixture(rpc::ServerConfig config = {}) {
        methods.add("add", [](const Json& params) {
            if (!params.is_array() || params.size() != 2 || !params[0].is_number() || !params[1].is_number())
                throw rpc::RpcError(rpc::RpcCode::invalid_params, "add takes two numbers");
            return Json(params[0].get<double>() + params[1].get<double>());
        });
        // The nice value of the pool thread answering (the server's thread priority).
        methods.add("thread_nice", [](const Json&) {
            errno = 0;
            return Json(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())));
        });
        config.cookie_dir = dir.path();
        server = std::make_unique<rpc::RpcServer>(config, methods);
        auto started = server->start();
        if (!started) FAIL("server did not start: " << started.error().message);
        credentials = rpc::read_cookie(server->cookie_path()).value();
    }

    [[nodiscard]] httplib::Client http() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(std::chrono::seconds(10));
        c.set_write_timeout(std::chrono::seconds(10));
        return c;
    }
    [[nodiscard]] httplib::Headers auth() const { return {{"Authorization", rpc::basic_authorization(credentials)}}; }
    // POSTs `body` with the cookie; the HTTP answer.
    httplib::Result post(const std::string& body) const { return http().Post("/", auth(), body, "application/json"); }
    [[nodiscard]] Json rpc_answer(const std::string& body) const {
        auto res = post(body);
        REQUIRE(res);
        REQUIRE(res->status == 200);
        return Json::parse(res->body);
    }
    // The server still answers a correct call.
    void check_answers() const {
        rpc::RpcClient client("127.0.0.1", server->port(), credentials, std::chrono::seconds(10));
        auto r = client.call("add", Json::array({2, 3}));
        REQUIRE(r.ok());
        CHECK(r.value() == 5.0);
    }
};

int error_code(const Json& answer) {
    return answer.at("error").at("code").get<int>();
}

// Sends raw bytes on a fresh connection and reads until the server closes it.
std::string raw_exchange(std::uint16_t port, const std::string& request) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(s, asio::buffer(request));
    std::string answer;
    std::error_code ec;
    asio::read(s, asio::dynamic_buffer(answer), ec);  // until EOF (or reset)
    return answer;
}

// Descriptors open in this process (the server's and the test's).
std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

// The soft RLIMIT_NOFILE raised to at least `want` (within the hard limit).
bool raise_fd_limit(rlim_t want) {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return false;
    if (r.rlim_cur >= want) return true;
    r.rlim_cur = std::min(want, r.rlim_max);
    return ::setrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur >= want;
}

}  // namespace

TEST_CASE("requests without the cookie or with a wrong one get 401", "[rpc][server]") {
    ServerFixture f;
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})";
    auto none = f.http().Post("/", body, "application/json");
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(none->get_header_value("WWW-Authenticate") == "Basic realm=\"jsonrpc\"");
    auto wrong = f.http().Post("/", {{"Authorization", rpc::basic_authorization("__cookie__:" + std::string(64, 'a'))}},
                               body, "application/json");
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    rpc::RpcClient client("127.0.0.1", f.server->port(), "__cookie__:nope");
    const auto refused = client.call("add", Json::array({1, 2}));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == std::errc::permission_denied);
    f.check_answers();
}

TEST_CASE("a 5 MB body is refused with 413 and the server keeps answering", "[rpc][server]") {
    ServerFixture f;
    std::string random(5'000'000, '\0');
    std::mt19937 rng(7);
    for (auto& c : random) c = static_cast<char>(rng());
    // With its length announced: skipped unread, then 413.
    auto sent = f.post(random);
    REQUIRE(sent);
    CHECK(sent->status == 413);
    const auto raw = raw_exchange(f.server->port(),
                                  "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                  "Content-Length: 5000000\r\n\r\n" +
                                      random);
    CHECK(raw.starts_with("HTTP/1.1 413"));
    // Chunked, with no length to check up front: the server stops reading at its bound.
    std::size_t offset = 0;
    auto chunked = f.http().Post(
        "/", f.auth(),
        [&](std::size_t, httplib::DataSink& sink) {
            const auto n = std::min<std::size_t>(64 * 1024, random.size() - offset);
            sink.write(random.data() + offset, n);
            offset += n;
            if (offset == random.size()) sink.done();
            return true;
        },
        "application/json");
    // The server answers 413 before the whole body is sent, so the client may see its write fail instead.
    if (chunked) CHECK(chunked->status == 413);
    f.check_answers();
}

TEST_CASE("a keep-alive connection stays usable after a 401", "[rpc][server]") {
    ServerFixture f;
    auto client = f.http();
    client.set_keep_alive(true);
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})";
    auto refused = client.Post("/", body, "application/json");
    REQUIRE(refused);
    CHECK(refused->status == 401);
    auto answered = client.Post("/", f.auth(), body, "application/json");
    REQUIRE(answered);
    REQUIRE(answered->status == 200);
    CHECK(Json::parse(answered->body).at("result") == 3.0);
}

TEST_CASE("malformed JSON, unknown methods and wrong params get their codes over HTTP", "[rpc][server]") {
    ServerFixture f;
    CHECK(error_code(f.rpc_answer(R"({"jsonrpc":"2.0","id":1,"method":"ad)")) == -32700);
    CHECK(error_code(f.rpc_answer(R"({"jsonrpc":"2.0","id":1,"method":"nosuch"})")) == -32601);
    CHECK(error_code(f.rpc_answer(R"({"jsonrpc":"2.0","id":1,"method":"add","params":["a"]})")) == -32602);
    const auto batch = f.rpc_answer(R"([{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]},
                                        {"jsonrpc":"2.0","id":2,"method":"nosuch"},
                                        {"jsonrpc":"2.0","id":3,"method":"add","params":{}}])");
    REQUIRE(batch.size() == 3);
    CHECK(batch[0].at("result") == 3.0);
    CHECK(error_code(batch[1]) == -32601);
    CHECK(error_code(batch[2]) == -32602);
    // A notification is answered 204 with no body.
    auto note = f.post(R"({"jsonrpc":"2.0","method":"add","params":[1,2]})");
    REQUIRE(note);
    CHECK(note->status == 204);
    CHECK(note->body.empty());
    // Another path, another verb, a multipart or compressed body: HTTP errors, no crash.
    auto other = f.http().Post("/other", f.auth(), "{}", "application/json");
    REQUIRE(other);
    CHECK(other->status == 404);
    auto get = f.http().Get("/no-such-page", f.auth());  // GET / is the explorer page
    REQUIRE(get);
    CHECK(get->status == 404);
    auto put = f.http().Put("/", f.auth(), "{}", "application/json");
    REQUIRE(put);
    CHECK(put->status == 404);
    auto multipart = f.http().Post("/", f.auth(), "--b\r\n", "multipart/form-data; boundary=b");
    REQUIRE(multipart);
    CHECK(multipart->status == 415);
    f.check_answers();
}

TEST_CASE("200 concurrent connections are all answered", "[rpc][server]") {
    rpc::ServerConfig config;
    config.threads = 4;
    ServerFixture f(config);
    constexpr int CLIENTS = 200;
    std::atomic<int> answered{0};
    std::mutex failures_mutex;
    std::vector<std::string> failures;  // Catch2 macros are not thread-safe: report after join
    std::vector<std::thread> clients;
    for (int i = 0; i < CLIENTS; ++i)
        clients.emplace_back([&, i] {
            // Every client times out rather than hangs: the test ends either way.
            rpc::RpcClient client("127.0.0.1", f.server->port(), f.credentials, std::chrono::seconds(30));
            auto r = client.call("add", Json::array({i, 1}));
            if (r.ok() && r.value() == static_cast<double>(i + 1)) {
                ++answered;
            } else {
                const std::lock_guard lock(failures_mutex);
                failures.push_back(r.ok() ? r.value().dump() : r.error().message);
            }
        });
    for (auto& t : clients) t.join();
    INFO("first failure: " << (failures.empty() ? "none" : failures.front()));
    CHECK(answered == CLIENTS);
    f.check_answers();
}

TEST_CASE("1,000 concurrent connections, idle or sending partial requests, leave the server answering",
          "[rpc][server]") {
    constexpr int FLOOD = 1'000;
    // Each connection costs a descriptor on both ends, in this one process.
    REQUIRE(raise_fd_limit(4 * FLOOD));
    rpc::ServerConfig config;  // the limits a node serves with (server.hpp)...
    // ...but idle and partial connections kept open for the whole test: a
    // request must be answered while they are all there, not after they time out.
    config.keep_alive_timeout = std::chrono::seconds(60);
    config.read_timeout = std::chrono::seconds(60);
    ServerFixture f(config);
    f.check_answers();  // the server's lazily made descriptors (asio's epoll, timer) exist from here
    const auto fds_before = open_fds();
    {
        asio::io_context io;
        const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), f.server->port());
        std::vector<asio::ip::tcp::socket> flood;
        flood.reserve(FLOOD);
        for (int i = 0; i < FLOOD; ++i) {
            auto& s = flood.emplace_back(io);
            std::error_code ec;
            s.connect(at, ec);
            REQUIRE_FALSE(ec);
            // Every other one starts a request and stops mid-header (slowloris).
            if (i % 2 == 1)
                asio::write(s, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")));
        }
        // An authenticated call on a new connection is answered while the
        // 1,000 are open: within the client's 5 s timeout (the bound).
        rpc::RpcClient client("127.0.0.1", f.server->port(), f.credentials, std::chrono::seconds(5));
        const auto r = client.call("add", Json::array({2, 3}));
        INFO((r.ok() ? std::string("answered") : r.error().message));
        REQUIRE(r.ok());
        CHECK(r.value() == 5.0);
    }  // the flood and the client close
    // The server closes its ends: back to the descriptors it had (no leak).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (open_fds() > fds_before && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(open_fds() <= fds_before);
    f.check_answers();  // normal service
}

// Requests written back to back on one connection: the ones already
// buffered when an answer is written are answered on the same pool thread
// (ConnectionLobby::next_head_ready), each once and in order.
TEST_CASE("pipelined requests on one keep-alive connection are answered in order", "[rpc][server]") {
    ServerFixture f;
    const auto authorization = rpc::basic_authorization(f.credentials);
    std::string requests;
    constexpr int CALLS = 5;
    for (int i = 1; i <= CALLS; ++i) {
        const auto body = Json{{"jsonrpc", "2.0"}, {"id", i}, {"method", "add"}, {"params", {i, 100}}}.dump();
        requests += "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                    (i == CALLS ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
    }
    const auto answer = raw_exchange(f.server->port(), requests);
    std::size_t at = 0;
    for (int i = 1; i <= CALLS; ++i) {
        const auto head_end = answer.find("\r\n\r\n", at);
        REQUIRE(head_end != std::string::npos);
        CHECK(answer.compare(at, 12, "HTTP/1.1 200") == 0);
        const auto length_at = answer.find("Content-Length: ", at);
        REQUIRE(length_at < head_end);
        const auto length = std::stoul(answer.substr(length_at + 16));
        const auto body = Json::parse(answer.substr(head_end + 4, length));
        CHECK(body.at("id") == i);
        CHECK(body.at("result") == static_cast<double>(i + 100));
        at = head_end + 4 + length;
    }
    CHECK(at == answer.size());
}

// A client that sends its next request as soon as it has an answer keeps
// being answered on its pool thread; with one thread that must not starve
// another connection: the thread goes back to the lobby once another waits.
TEST_CASE("a connection calling without pause does not hold the only thread from another", "[rpc][server]") {
    rpc::ServerConfig config;
    config.threads = 1;
    config.keep_alive_max_requests = 1'000'000'000;            // the busy connection is never closed for its count
    config.keep_alive_grace = std::chrono::milliseconds(100);  // its next request always arrives within it
    ServerFixture f(config);
    std::atomic<bool> stop{false};
    std::atomic<int> busy_calls{0};
    std::thread busy([&] {
        rpc::RpcClient client("127.0.0.1", f.server->port(), f.credentials, std::chrono::seconds(10));
        while (!stop)
            if (client.call("add", Json::array({1, 1})).ok()) ++busy_calls;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (busy_calls < 100 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    REQUIRE(busy_calls >= 100);  // the busy connection is being served
    rpc::RpcClient other("127.0.0.1", f.server->port(), f.credentials, std::chrono::seconds(3));
    const auto r = other.call("add", Json::array({2, 3}));
    stop = true;
    busy.join();
    INFO((r.ok() ? std::string("answered") : r.error().message));
    REQUIRE(r.ok());
    CHECK(r.value() == 5.0);
}

// A node downloading blocks must come first: while node_busy says so, the
// requests are answered at busy_thread_nice (on the same keep-alive
// connection too), and at thread_nice again once it no longer does.
TEST_CASE("requests are answered at busy_thread_nice while the node is busy, at thread_nice otherwise",
          "[rpc][server]") {
    errno = 0;
    const int base = ::getpriority(PRIO_PROCESS, 0);
    if (base > 10) {
        WARN("not run: the tests run at nice " << base << ", and the server's threads cannot go below it");
        return;
    }
    std::atomic<bool> node_busy{false};
    rpc::ServerConfig config;
    config.thread_nice = base + 3;
    config.busy_thread_nice = base + 8;
    config.node_busy = [&node_busy] { return node_busy.load(); };
    config.keep_alive_grace = std::chrono::milliseconds(50);  // the next call arrives within it: the fast path
    ServerFixture f(config);
    rpc::RpcClient client("127.0.0.1", f.server->port(), f.credentials, std::chrono::seconds(10));
    const auto answering_nice = [&client] {
        auto r = client.call("thread_nice");
        REQUIRE(r.ok());
        return r.value().get<int>();
    };
    CHECK(answering_nice() == base + 3);
    CHECK(answering_nice() == base + 3);
    node_busy = true;
    CHECK(answering_nice() == base + 8);
    CHECK(answering_nice() == base + 8);
    node_busy = false;
    CHECK(answering_nice() == base + 3);
    rpc::RpcClient fresh("127.0.0.1", f.server->port(), f.credentials, std::chrono::seconds(10));
    node_busy = true;
    auto r = fresh.call("thread_nice");
    REQUIRE(r.ok());
    CHECK(r.value().get<int>() == base + 8);
}

TEST_CASE("the cookie exists while the server runs and is removed at stop", "[rpc][server]") {
    ServerFixture f;
    const auto path = f.server->cookie_path();
    CHECK(std::filesystem::exists(path));
    const auto port = f.server->port();
    f.server->stop();
    CHECK_FALSE(std::filesystem::exists(path));
    rpc::RpcClient client("127.0.0.1", port, f.credentials, std::chrono::seconds(5));
    const auto r = client.call("add", Json::array({1, 2}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == std::errc::connection_refused);
    f.server->stop();  // idempotent
}

TEST_CASE("the server refuses to start without a writable cookie", "[rpc][server]") {
    test::ScratchDir dir("rpc-server");
    rpc::MethodRegistry methods;
    rpc::ServerConfig config;
    config.cookie_dir = dir / "missing";
    rpc::RpcServer server(config, methods);
    const auto started = server.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message.find(".cookie") != std::string::npos);
}

TEST_CASE("a port in use is refused", "[rpc][server]") {
    ServerFixture first;
    test::ScratchDir dir("rpc-server");
    rpc::MethodRegistry methods;
    rpc::ServerConfig config;
    config.cookie_dir = dir.path();
    config.port = first.server->port();
    rpc::RpcServer second(config, methods);
    REQUIRE_FALSE(second.start().ok());
    CHECK_FALSE(std::filesystem::exists(dir / ".cookie"));
    first.check_answers();
}
