// A Host echo server in its own process, for tests that must measure the node
// apart from the peers attacking it (its RSS, its CPU time) or starve it of
// file descriptors. Arguments are HostConfig fields as name=value; also
// spare_fds=N (lower RLIMIT_NOFILE to the descriptors open after listening
// plus N; descriptors below that left free count too) and seed=N. Prints "listening <multiaddr>" and then the
// transport's log lines ("<level> <message>") on stdout, flushed line by line.
//
// Protocols: /chainkit/echo/1.0.0 echoes bytes; /chainkit/msg/1.0.0 echoes
// length-prefixed messages of up to 1 MiB.
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chainkit/net/host.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <sys/resource.h>

using namespace chainkit::net;

namespace {

asio::awaitable<void> echo(std::shared_ptr<Stream> s, PeerId) {
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
        auto n = co_await s->read_some(buf);
        if (!n) break;
        if (!co_await s->write(std::span(buf).first(*n))) co_return;
    }
    (void)co_await s->close_write();
}

asio::awaitable<void> echo_messages(std::shared_ptr<Stream> s, PeerId) {
    for (;;) {
        auto m = co_await s->read_message(1 << 20);
        if (!m || !co_await s->write_message(*m)) co_return;
    }
}

// One past the highest descriptor open (inherited ones included): new
// descriptors must be numbered below RLIMIT_NOFILE, so the limit counts from
// here, not from how many are open.
std::size_t fd_ceiling() {
    std::size_t top = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
        top = std::max<std::size_t>(top, std::stoul(e.path().filename().string()) + 1);
    return top;
}

HostConfig config_from(const std::map<std::string, std::uint64_t>& a) {
    HostConfig c;
    const auto get = [&](const char* k, auto& field) {
        if (auto it = a.find(k); it != a.end())
            field = static_cast<std::remove_reference_t<decltype(field)>>(it->second);
    };
    const auto ms = [&](const char* k, std::chrono::milliseconds& field) {
        if (auto it = a.find(k); it != a.end()) field = std::chrono::milliseconds(it->second);
    };
    ms("handshake_timeout_ms", c.handshake_timeout);
    ms("negotiation_timeout_ms", c.negotiation_timeout);
    ms("keepalive_ms", c.keepalive_interval);
    ms("ping_timeout_ms", c.ping_timeout);
    ms("message_stall_timeout_ms", c.message_stall_timeout);
    get("max_inbound_connections", c.max_inbound_connections);
    get("max_streams_per_connection", c.max_streams_per_connection);
    get("stream_window", c.stream_window);
    get("max_connection_receive_bytes", c.max_connection_receive_bytes);
    get("max_host_receive_bytes", c.max_host_receive_bytes);
    get("max_connections_per_ip", c.max_connections_per_ip);
    get("max_pending_handshakes", c.max_pending_handshakes);
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::uint64_t> args;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto eq = a.find('=');
        if (eq == std::string::npos) {
            std::cerr << "echo_node: expected name=value, got " << a << "\n";
            return 2;
        }
        args[a.substr(0, eq)] = std::stoull(a.substr(eq + 1));
    }
    // Registered before the host: the transport logs through an existing "net".
    auto logger = spdlog::stdout_logger_mt("net");
    logger->set_pattern("%l %v");
    logger->flush_on(spdlog::level::trace);

    asio::io_context io;
    Host host(io.get_executor(), Identity::from_seed(args.contains("seed") ? args.at("seed") : 900), config_from(args));
    host.set_handler("/chainkit/echo/1.0.0", echo);
    host.set_handler("/chainkit/msg/1.0.0", echo_messages);
    if (!host.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0"))) return 1;
    if (args.contains("spare_fds")) {
        rlimit old{};
        ::getrlimit(RLIMIT_NOFILE, &old);
        const rlimit lower{fd_ceiling() + args.at("spare_fds"), old.rlim_max};
        if (::setrlimit(RLIMIT_NOFILE, &lower) != 0) return 1;
    }
    std::printf("listening %s\n", host.listen_addresses().at(0).to_string().c_str());
    std::fflush(stdout);
    io.run();
}
