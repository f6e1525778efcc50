// net_bench: the transport's end-to-end figures, each next to the limit or
// peer it is judged against, measured in the same run.
//   net_bench [--bytes N] [--echo-bytes N] [--handshakes N] [--conns N] [--repeat N] [--no-js]
//             [--stream-window BYTES] [--write-queue BYTES]
#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <openssl/evp.h>
#include <sodium.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chainkit/net/host.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>

using namespace chainkit::net;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {

const std::string ECHO = "/chainkit/echo/1.0.0";
const std::string SINK = "/bench/sink/1.0.0";

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds used by the whole process (all threads) so far.
double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// An io_context on its own thread, so that each host encrypts on its own core.
struct NetThread {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
    std::thread thread{[this] { io.run(); }};
    ~NetThread() {
        guard.reset();
        io.stop();
        thread.join();
    }
    template <class T>
    T run(asio::awaitable<T> op) {
        return asio::co_spawn(io, std::move(op), asio::use_future).get();
    }
};

double g_raw_cpu_mbps = 0;  // the last raw run, per CPU second

double raw_aead_mbps() {
    const double cpu0 = cpu_seconds();
    std::vector<std::uint8_t> plain(65519), out(plain.size() + 16), key(32), nonce(12);
    randombytes_buf(key.data(), key.size());
    std::size_t bytes = 0;
    const auto start = Clock::now();
    while (seconds_since(start) < 1.0) {
        for (int i = 0; i < 64; ++i) {
            unsigned long long len = 0;
            ++nonce[4];
            crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &len, plain.data(), plain.size(), nullptr, 0, nullptr,
                                                      nonce.data(), key.data());
            bytes += plain.size();
        }
    }
    g_raw_cpu_mbps = static_cast<double>(bytes) / 1e6 / (cpu_seconds() - cpu0);
    return static_cast<double>(bytes) / 1e6 / seconds_since(start);
}

// The same with OpenSSL's EVP ChaCha20-Poly1305, which the transport uses:
// the libsodium figure is the reference, this one the real ceiling.
double raw_openssl_mbps() {
    std::vector<std::uint8_t> plain(65519), out(plain.size() + 16), key(32), nonce(12);
    randombytes_buf(key.data(), key.size());
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr || EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key.data(), nonce.data()) != 1)
        throw std::runtime_error("OpenSSL ChaCha20-Poly1305 unavailable");
    std::size_t bytes = 0;
    const auto start = Clock::now();
    while (seconds_since(start) < 1.0) {
        for (int i = 0; i < 64; ++i) {
            ++nonce[4];
            int len = 0, fin = 0;
            if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
                EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size())) != 1 ||
                EVP_EncryptFinal_ex(ctx, out.data() + len, &fin) != 1 ||
                EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + plain.size()) != 1)
                throw std::runtime_error("OpenSSL ChaCha20-Poly1305 failed");
            bytes += plain.size();
        }
    }
    EVP_CIPHER_CTX_free(ctx);
    return static_cast<double>(bytes) / 1e6 / seconds_since(start);
}

asio::awaitable<void> echo(std::shared_ptr<Stream> s, PeerId) {
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
        auto n = co_await s->read_some(buf);
        if (!n) break;
        if (!co_await s->write(std::span(buf).first(*n))) co_return;
    }
    (void)co_await s->close_write();
}

asio::awaitable<void> sink(std::shared_ptr<Stream> s, PeerId) {
    std::vector<std::uint8_t> buf(65536);
    while (co_await s->read_some(buf)) {
    }
    (void)co_await s->close_write();
}

// Flow-control settings of both hosts (--stream-window, --write-queue).
HostConfig g_config;

std::unique_ptr<Host> make_server(NetThread& t) {
    HostConfig cfg = g_config;
    cfg.max_inbound_connections = 4096;  // the idle-connection figure opens many
    auto h = std::make_unique<Host>(t.io.get_executor(), Identity::from_seed(9001), cfg);
    h->set_handler(ECHO, echo);
    h->set_handler(SINK, sink);
    if (!h->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0"))) throw std::runtime_error("listen failed");
    return h;
}

// One stream, `bytes` one way into a sink; returns MB/s.
asio::awaitable<double> bulk(Host& client, Multiaddr server, std::size_t bytes) {
    auto peer = co_await client.dial(server);
    if (!peer) throw std::runtime_error("dial: " + peer.error().message);
    auto s = co_await client.open_stream(*peer, SINK);
    if (!s) throw std::runtime_error("open: " + s.error().message);
    std::vector<std::uint8_t> chunk(1 << 20, 0x5a);
    const auto start = Clock::now();
    for (std::size_t sent = 0; sent < bytes; sent += chunk.size())
        if (!co_await (*s)->write(chunk)) throw std::runtime_error("write failed");
    (void)co_await (*s)->close_write();
    std::array<std::uint8_t, 16> b{};
    (void)co_await (*s)->read_some(b);  // the sink's FIN: everything was received
    co_return static_cast<double>(bytes) / 1e6 / seconds_since(start);
}

// js_peer's echoTransfer, done by our host: write while reading the echo and
// comparing it with what was sent. As in js, the data exists before the clock
// starts, and the clock includes opening the stream.
asio::awaitable<double> echo_ms(Host& client, Multiaddr server, const std::vector<std::uint8_t>& data) {
    auto peer = co_await client.dial(server);
    if (!peer) throw std::runtime_error("dial: " + peer.error().message);
    const auto start = Clock::now();
    auto s = co_await client.open_stream(*peer, ECHO);
    if (!s) throw std::runtime_error("open: " + s.error().message);
    std::size_t got = 0;
    bool same = true;
    auto writer = [&]() -> asio::awaitable<void> {
        (void)co_await (*s)->write(data);
        (void)co_await (*s)->close_write();
    };
    auto reader = [&]() -> asio::awaitable<void> {
        std::vector<std::uint8_t> buf(65536);
        while (auto n = co_await (*s)->read_some(buf)) {
            same = same && got + *n <= data.size() && std::memcmp(buf.data(), data.data() + got, *n) == 0;
            got += *n;
        }
    };
    co_await (writer() && reader());
    if (got != data.size() || !same) throw std::runtime_error("echo came back short or different");
    co_return seconds_since(start) * 1000.0;
}

// Connect + upgrade + one negotiated stream with a 1-byte echo, then close.
asio::awaitable<double> handshakes(Host& client, Multiaddr server, int count) {
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
        auto peer = co_await client.dial(server);
        if (!peer) throw std::runtime_error("dial: " + peer.error().message);
        auto s = co_await client.open_stream(*peer, ECHO);
        if (!s) throw std::runtime_error("open: " + s.error().message);
        std::array<std::uint8_t, 1> b{1};
        (void)co_await (*s)->write(b);
        (void)co_await (*s)->read_exact(b);
        client.disconnect(*peer);
        asio::steady_timer settle(co_await asio::this_coro::executor, std::chrono::milliseconds(0));
        co_await settle.async_wait(asio::use_awaitable);  // let the close callbacks run
    }
    co_return count / seconds_since(start);
}

std::size_t heap_in_use() {
    return mallinfo2().uordblks;
}

// Runs js_peer.mjs and returns its stdout lines that start with `prefix`.
std::vector<std::string> run_js(const std::string& args, const std::string& prefix) {
    const std::string cmd = "cd " + std::string(CHAINKIT_SOURCE_DIR) + "/tests/interop && node js_peer.mjs " + args;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return {};
    char line[512];
    std::vector<std::string> found;
    while (std::fgets(line, sizeof line, p))
        if (std::strncmp(line, prefix.c_str(), prefix.size()) == 0) found.emplace_back(line);
    ::pclose(p);
    return found;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t bytes = 512u << 20, echo_bytes = 64u << 20, conns = 500;
    int hs = 300, repeat = 3;
    bool js = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] {
            if (i + 1 >= argc) throw std::invalid_argument(a + " needs a number");
            return std::stoull(argv[++i]);
        };
        if (a == "--bytes")
            bytes = next();
        else if (a == "--echo-bytes")
            echo_bytes = next();
        else if (a == "--handshakes")
            hs = static_cast<int>(next());
        else if (a == "--conns")
            conns = next();
        else if (a == "--repeat")
            repeat = std::max(1, static_cast<int>(next()));
        else if (a == "--no-js")
            js = false;
        else if (a == "--stream-window")
            g_config.stream_window = static_cast<std::uint32_t>(next());
        else if (a == "--write-queue")
            g_config.max_write_queue_bytes = next();
        else
            throw std::invalid_argument("unknown option " + a);
    }
    if (sodium_init() < 0) return 1;
    // The transport logs through the "net" logger; created here, it is reused.
    spdlog::stderr_color_mt("net")->set_level(spdlog::level::warn);
    const double raw = raw_aead_mbps();
    std::printf("raw chacha20-poly1305 encrypt (libsodium, 1 core): %.0f MB/s\n", raw);

    NetThread server_thread, client_thread;
    auto server = make_server(server_thread);
    const auto addr = server->listen_addresses().at(0);
    Host client(client_thread.io.get_executor(), Identity::from_seed(9002), g_config);

    // Medians of `repeat` runs: the machine is shared, single runs are noisy.
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::vector<double> bulk_runs, echo_runs;
    std::vector<double> ratios, ossl_ratios, cores, cpu_ratios;
    for (int i = 0; i < repeat; ++i) {
        // Raw speeds measured next to each transfer, so all see the same load.
        const double raw_now = raw_aead_mbps();
        const double ossl_now = raw_openssl_mbps();
        const double cpu0 = cpu_seconds();
        const auto wall0 = Clock::now();
        bulk_runs.push_back(client_thread.run(bulk(client, addr, bytes)));
        const double cpu = cpu_seconds() - cpu0;
        cores.push_back(cpu / seconds_since(wall0));
        cpu_ratios.push_back((static_cast<double>(bytes) / 1e6 / cpu) / g_raw_cpu_mbps);
        ratios.push_back(bulk_runs.back() / raw_now);
        ossl_ratios.push_back(bulk_runs.back() / ossl_now);
    }
    const double mbps = median(bulk_runs);
    std::printf(
        "bulk one stream ours->ours: %zu MiB at %.0f MB/s; ratio to raw libsodium encrypt %.2f (bar >= 0.5); medians "
        "of %d\n",
        bytes >> 20, mbps, median(ratios), repeat);
    std::printf("  ratio to raw OpenSSL encrypt, the primitive the transport uses (%.0f MB/s last): %.2f\n",
                raw_openssl_mbps(), median(ossl_ratios));
    std::printf("  cores obtained during the transfer (process CPU s / wall s): %.2f of the 2 it can use\n",
                median(cores));
    std::printf("  per CPU second, against libsodium: ratio %.2f (each byte is encrypted and decrypted)\n",
                median(cpu_ratios));

    std::vector<std::uint8_t> echo_data(echo_bytes);
    randombytes_buf(echo_data.data(), echo_data.size());
    std::vector<double> echo_cpu;
    (void)client_thread.run(echo_ms(client, addr, echo_data));  // warm-up round, not counted (as for js)
    for (int i = 0; i < repeat; ++i) {
        const double cpu0 = cpu_seconds();
        echo_runs.push_back(client_thread.run(echo_ms(client, addr, echo_data)));
        echo_cpu.push_back((cpu_seconds() - cpu0) * 1000.0);
    }
    const double ours_ms = median(echo_runs);
    std::printf("echo ours<->ours: %zu MiB in %.0f ms (median of %d, fastest %.0f; %.0f ms of CPU, both hosts)\n",
                echo_bytes >> 20, ours_ms, repeat, *std::min_element(echo_runs.begin(), echo_runs.end()),
                median(echo_cpu));
    if (js) {
        // One js process, repeat + 1 rounds on one connection; the first round
        // runs before the JIT has warmed up and is dropped, as ours is.
        std::vector<double> js_runs;
        const auto rounds = run_js(
            "bench-pair --bytes " + std::to_string(echo_bytes) + " --rounds " + std::to_string(repeat + 1), "JS2JS");
        for (std::size_t i = 1; i < rounds.size(); ++i) {
            double ms = 0;
            std::size_t bytes_js = 0;
            if (std::sscanf(rounds[i].c_str(), "JS2JS %zu %lf", &bytes_js, &ms) == 2) js_runs.push_back(ms);
        }
        const auto mixed_lines =
            run_js("dial " + addr.to_string() + " --bytes " + std::to_string(echo_bytes), "ECHO OK");
        const std::string mixed = mixed_lines.empty() ? std::string() : mixed_lines.back();
        double js_ms = 0, mixed_ms = 0;
        std::size_t n = 0;
        char sha[80];
        if (!js_runs.empty()) {
            js_ms = median(js_runs);
            n = echo_bytes;
        }
        if (!js_runs.empty())
            std::printf(
                "echo js<->js: %zu MiB in %.0f ms (median of %zu warm rounds); ours is %.1fx faster (bar >= 3x)\n",
                n >> 20, js_ms, js_runs.size(), js_ms / ours_ms);
        else
            std::printf("echo js<->js: not measured (node or tests/interop setup missing)\n");
        if (std::sscanf(mixed.c_str(), "ECHO OK %zu %79s %lf", &n, sha, &mixed_ms) == 3)
            std::printf("echo js->ours: %zu MiB in %.0f ms (one cold js process; %.1fx the js<->js time)\n", n >> 20,
                        mixed_ms, js_ms > 0 ? mixed_ms / js_ms : 0.0);
    }

    client.disconnect(server->peer_id());
    const double rate = client_thread.run(handshakes(client, addr, hs));
    std::printf("handshakes (connect + noise + yamux + 1 stream echo), sequential: %.0f/s\n", rate);

    // Idle connections: distinct client identities, all on the client thread.
    std::vector<std::unique_ptr<Host>> clients;
    for (std::size_t i = 0; i < conns; ++i)
        clients.push_back(
            std::make_unique<Host>(client_thread.io.get_executor(), Identity::from_seed(10000 + i), HostConfig{}));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto before = heap_in_use();
    client_thread.run([&]() -> asio::awaitable<void> {
        for (auto& c : clients)
            if (!co_await c->dial(addr)) throw std::runtime_error("idle dial failed");
    }());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto after = heap_in_use();
    const double per = static_cast<double>(after - before) / static_cast<double>(conns) / 1024.0;
    std::printf("idle connections: %zu open; heap %.1f KiB per connection counting both ends (bar < 64 KiB)\n",
                server->connection_count(Direction::inbound), per);
    client_thread.run([&]() -> asio::awaitable<void> {
        for (auto& c : clients) c->stop();
        co_return;
    }());
    server_thread.run([&]() -> asio::awaitable<void> {
        server->stop();
        co_return;
    }());
    return 0;
}
