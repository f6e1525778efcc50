// pulse_p2p: the heart-rate chain of the go-libp2p tutorial on chainkit's
// transport. Composition only: options, host, node, stdin, output, signals.
// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include "stdin_reader.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <fmt/color.h>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chainkit/net/host.hpp>
#include <chainkit/pulse/chain_print.hpp>
#include <chainkit/pulse/options.hpp>
#include <chainkit/pulse/pulse_node.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <unistd.h>
#include <vector>

namespace pulse = chainkit::pulse;
namespace net = chainkit::net;

namespace {

constexpr std::size_t MAX_INBOUND_CONNECTIONS = 64;
// Streams of any protocol per connection: /p2p/1.0.0 (at most 4 are served),
// ping, identify, with room to spare.
constexpr std::size_t MAX_STREAMS_PER_CONNECTION = 16;

struct Options {
    std::uint16_t port = 0;
    std::vector<std::string> targets;
    std::uint64_t seed = 0;
    std::string interval = "5s";
    std::string genesis_timestamp{pulse::DEFAULT_GENESIS_TIMESTAMP};
    bool secio = false;
    bool verbose = false;
};

// Single quotes for a shell, so the printed join command can be pasted.
std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:+=") ==
                          std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

bool stdout_is_color_terminal() {
    const char* term = std::getenv("TERM");
    return ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr && !(term && std::string(term) == "dumb");
}

void print_chain(const std::string& headline, const std::vector<pulse::Block>& chain, bool color) {
    fmt::print("{}\n{}", color ? fmt::format(fmt::fg(fmt::terminal_color::bright_green), "{}", headline) : headline,
               pulse::format_chain(chain, color));
    std::fflush(stdout);
}

void print_join_hint(const std::string& program, const Options& o, const net::Multiaddr& me) {
    fmt::print("I am {}\n", me.to_string());
    std::string cmd = fmt::format("{} -l {} -d {}", shell_quote(program), me.port() + 1, me.to_string());
    if (o.genesis_timestamp != pulse::DEFAULT_GENESIS_TIMESTAMP)
        cmd += " --genesis-timestamp " + shell_quote(o.genesis_timestamp);
    if (o.secio) cmd += " -secio";
    fmt::print("Now run \"{}\" on a different terminal\n", cmd);
    std::fflush(stdout);
}

int run(const std::string& program, const Options& o, std::chrono::milliseconds interval) {
    asio::io_context io;
    auto identity = o.seed == 0 ? net::Identity::generate() : net::Identity::from_seed(o.seed);
    // A demo node: 64 inbound links is plenty, and together with the streams
    // per peer and the partial-line budget it bounds what peers can pin.
    // Lines are small and rare, so each stream gets the spec's 256 KiB
    // window, not the default 1 MiB: a peer can make the transport buffer at
    // most 64 x 16 x 256 KiB before the application reads.
    net::HostConfig host_config;
    host_config.max_inbound_connections = MAX_INBOUND_CONNECTIONS;
    host_config.max_streams_per_connection = MAX_STREAMS_PER_CONNECTION;
    host_config.stream_window = 256 * 1024;
    net::Host host(io.get_executor(), identity, host_config);
    auto listened = host.listen(net::Multiaddr::tcp(net::AddrKind::ip4, "127.0.0.1", o.port));
    if (!listened) {
        fmt::print(stderr, "pulse_p2p: cannot listen on 127.0.0.1:{}: {}\n", o.port, listened.error().message);
        return 1;
    }
    std::vector<net::Multiaddr> dials;
    for (const auto& t : o.targets) {
        std::string why;
        auto addr = net::Multiaddr::parse(t, &why);
        if (!addr) {
            fmt::print(stderr, "pulse_p2p: bad -d address: {}\n", why);
            return 2;
        }
        dials.push_back(*addr);
    }

    const bool color = stdout_is_color_terminal();
    pulse::NodeConfig config;
    config.interval = interval;
    pulse::PulseNode node(io.get_executor(), host, pulse::make_genesis(o.genesis_timestamp), config);
    node.on_chain_changed([color](pulse::ChainChange what, const std::vector<pulse::Block>& chain,
                                  const std::optional<net::PeerId>& from) {
        std::string head = what == pulse::ChainChange::added
                               ? fmt::format("added block: {}", pulse::format_summary(chain))
                               : fmt::format("adopted chain from {}: {}", from ? from->to_string() : "?",
                                             pulse::format_summary(chain));
        print_chain(head, chain, color);
    });
    node.start();

    auto addrs = host.listen_addresses();
    auto me = std::find_if(addrs.begin(), addrs.end(), [](const auto& a) { return a.kind() == net::AddrKind::ip4; });
    if (me != addrs.end()) print_join_hint(program, o, *me);
    if (o.secio) spdlog::info("-secio accepted for compatibility: the transport is always encrypted with Noise");
    print_chain(fmt::format("genesis: {}", pulse::format_summary(node.chain().blocks())), node.chain().blocks(), color);
    for (auto& d : dials) node.connect(d);

    pulse::StdinReader input(
        io.get_executor(), 1024,
        [&node](std::string line, bool too_long) {
            std::int64_t bpm = 0;
            std::string why;
            if (too_long)
                why = fmt::format("line too long: type a BPM between {} and {}", pulse::MIN_BPM, pulse::MAX_BPM);
            else if (pulse::parse_bpm(line, bpm, why)) {
                auto added = node.add_bpm(bpm, pulse::format_go_time(std::chrono::system_clock::now()));
                if (added.ok()) return;
                why = std::move(added.message);
            }
            fmt::print(stderr, "error: {}\n", why);
        },
        [] { spdlog::info("stdin closed; still serving peers (Ctrl-C to quit)"); });
    input.start();

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code& ec, int) {
        if (ec) return;
        spdlog::info("stopping");
        input.stop();
        node.stop();
        host.stop();
        io.stop();
    });
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        spdlog::set_default_logger(spdlog::stderr_color_mt("pulse_p2p"));
        Options o;
        CLI::App app{"pulse_p2p: the heart-rate (BPM) chain of the go-libp2p tutorial, over chainkit's transport",
                     "pulse_p2p"};
        app.add_option("-l", o.port, "TCP port to listen on, 127.0.0.1 (0 picks a free one)")->required();
        app.add_option("-d", o.targets, "peer to dial, /ip4/A/tcp/P/p2p/ID (repeatable)")->expected(1)->take_all();
        app.add_option("--seed", o.seed, "deterministic identity seed (0: random)");
        app.add_option("--interval", o.interval, "period of the chain rewrite to every peer")->capture_default_str();
        app.add_option("--genesis-timestamp", o.genesis_timestamp, "timestamp text of the shared genesis block")
            ->capture_default_str();
        app.add_flag("--secio", o.secio, "accepted for compatibility; the transport always uses Noise");
        app.add_flag("-v,--verbose", o.verbose, "debug logging");
        std::vector<std::string> args = pulse::normalize_go_flags(std::vector<std::string>(argv + 1, argv + argc));
        std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
        try {
            app.parse(args);
        } catch (const CLI::ParseError& e) {
            return app.exit(e);
        }
        std::chrono::milliseconds interval{};
        std::string why;
        if (!pulse::parse_duration(o.interval, interval, why) ||
            !pulse::check_genesis_timestamp(o.genesis_timestamp, why)) {
            fmt::print(stderr, "pulse_p2p: {}\n", why);
            return 2;
        }
        spdlog::set_level(o.verbose ? spdlog::level::debug : spdlog::level::info);
        return run(argc > 0 ? argv[0] : "pulse_p2p", o, interval);
    } catch (const std::exception& e) {
        fmt::print(stderr, "pulse_p2p: {}\n", e.what());
        return 1;
    }
}
