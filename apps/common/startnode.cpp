#include "startnode.hpp"

#include "chainkit/chain/chain_worker.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/sig_cache.hpp"
#include "chainkit/node/node.hpp"

#include "commands.hpp"
#include "errors.hpp"
#include "node_miner.hpp"
#include "peer_files.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chainkit/net/host.hpp>
#include <chainkit/net/identity.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>

namespace chainkit::apps {
namespace {

net::Multiaddr parse_multiaddr(const std::string& text, std::string_view option) {
    std::string why;
    auto a = net::Multiaddr::parse(text, &why);
    if (!a.ok()) throw UserError(fmt::format("{} '{}': {}", option, text, why.empty() ? a.error().message : why));
    return *a;
}

std::string progress_line(const node::SyncStatus& s) {
    std::string line = fmt::format("sync: blocks {}/{}", s.block_height, s.header_height);
    if (s.blocks_per_second > 0) {
        const double left = static_cast<double>(s.header_height - s.block_height) / s.blocks_per_second;
        line += fmt::format(", {:.0f} blocks/s, {:.0f} s left", s.blocks_per_second, left);
    }
    return line;
}

// Prints sync progress (a rewritten line on a terminal, a log line every 5 s
// otherwise) and turns a stop request into an orderly shutdown.
// Also prints "tip H HASH" on stdout each time the node, synced with a
// peer, reaches a new tip: what a user (or a test) waits for.
asio::awaitable<void> watch(asio::io_context& io, node::Node& n, std::stop_token stop, bool tty, NodeMiner* miner,
                            std::ostream& out) {
    asio::steady_timer timer(io);
    auto last_log = std::chrono::steady_clock::now();
    bool showed = false;
    chain::BlockHash printed;
    while (!stop.stop_requested()) {
        timer.expires_after(std::chrono::milliseconds(100));
        co_await timer.async_wait(asio::use_awaitable);
        if (miner) miner->tick();
        const auto s = n.sync_status();
        if (s.synced) {
            if (showed && tty) fmt::print(stderr, "\r{}\n", progress_line(s));
            showed = false;
            const auto tip = n.tip();
            if (tip.hash != printed && !n.peers().empty()) {
                printed = tip.hash;
                fmt::print(out, "tip {} {}\n", tip.height, tip.hash.hex());
                out.flush();
            }
            continue;
        }
        const auto now = std::chrono::steady_clock::now();
        if (tty) {
            fmt::print(stderr, "\r{}   ", progress_line(s));
            showed = true;
        } else if (now - last_log > std::chrono::seconds(5)) {
            spdlog::info("{}", progress_line(s));
            last_log = now;
        }
    }
    io.stop();
}

// The server's stop() waits for the requests in flight, which wait for
// the network thread: run it meanwhile.
void stop_rpc(asio::io_context& io, NodeRpc& rpc) {
    std::atomic<bool> done{false};
    io.restart();
    std::thread stopper([&] {
        rpc.stop();
        done = true;
    });
    while (!done) io.run_for(std::chrono::milliseconds(20));
    stopper.join();
}

}  // namespace

void cmd_startnode(NodeContext& ctx, const std::string& role, const StartNodeArgs& a, std::ostream& out) {
    const auto& cfg = ctx.config;
    const auto listen =
        parse_multiaddr(a.listen.empty() ? fmt::format("/ip4/127.0.0.1/tcp/{}", cfg.port) : a.listen, "--listen");
    node::NodeConfig ncfg;
    for (const auto& c : a.connect) ncfg.connect.push_back(parse_multiaddr(c, "--connect"));
    ncfg.max_inbound = a.max_inbound;
    ncfg.target_outbound = a.max_outbound;
    ncfg.user_agent = fmt::format("chainkit-{}/0.1.0", role);
    std::optional<chain::KeyHash> miner_to;
    if (!a.miner_address.empty()) miner_to = parse_address_arg(ctx, a.miner_address, "--miner");
    if (miner_to) (void)miner_options(a.threads);  // a bad kernel name fails before anything starts

    if (std::filesystem::exists(cfg.data_dir)) ctx.node_lock = std::make_unique<NodeLock>(cfg.data_dir);
    auto& chain = ctx.open_chain(ChainAccess::read_write);
    if (!ctx.node_lock) ctx.node_lock = std::make_unique<NodeLock>(cfg.data_dir);  // created by --genesis just now
    auto identity = net::Identity::load_or_create(cfg.data_dir);
    if (!identity.ok()) throw UserError("cannot load the node key: " + identity.error().message);

    asio::io_context io;
    chain::ChainWorker worker;
    chain::Mempool mempool(cfg.params, chain.utxo(), chain.height());
    chain.add_observer(&mempool);
    // The pool fills it, block connects skip what it holds (issue 11).
    std::optional<chain::SigCache> sig_cache;
    if (a.sig_cache_mib > 0) {
        sig_cache.emplace(chain::SigCacheOptions{.max_bytes = a.sig_cache_mib << 20});
        chain.set_sig_cache(&*sig_cache);
        mempool.set_sig_cache(&*sig_cache);
    }
    net::HostConfig hcfg;
    hcfg.max_inbound_connections = a.max_inbound + 8;
    hcfg.agent_version = ncfg.user_agent;
    net::Host host(io.get_executor(), std::move(*identity), hcfg);
    if (auto r = host.listen(listen); !r.ok())
        throw UserError(fmt::format("cannot listen on {}: {}", listen.to_string(), r.error().message));
    PeerFiles peer_files(cfg.data_dir);
    node::NodeDeps deps{cfg.params,
                        chain,
                        mempool,
                        [&worker](std::function<void()> job) { worker.post(std::move(job)); },
                        [] { return now_seconds(); },
                        &peer_files,
                        &peer_files,
                        {}};
    node::Node n(io.get_executor(), host, std::move(deps), ncfg);
    // A storage fault the node could not retry away: stop in order, then exit non-zero with its line.
    std::optional<std::string> fatal;
    n.on_fatal_error([&fatal, &stop = ctx.stop](const std::string& why) {
        fatal = why;
        stop.request_stop();
    });
    n.start();

    const auto me = host.listen_addresses().front().to_string();
    fmt::print(out, "{} node listening on {}\n", role, me);
    fmt::print(out, "join it from another terminal with: --connect {}\n", me);
    out.flush();

    std::unique_ptr<NodeMiner> miner;
    if (miner_to)
        miner = std::make_unique<NodeMiner>(io, n, worker, chain, mempool, cfg.params, *miner_to,
                                            MinerPolicy{a.min_txs, a.continuous, a.threads});
    NodeRpc rpc(NodeParts{cfg, n, host, chain, mempool, worker, io.get_executor(), miner.get(),
                          [&stop = ctx.stop] { stop.request_stop(); }},
                a.rpc);
    // A port already taken fails here, after the node started: it still stops in order below.
    std::exception_ptr failure;
    try {
        if (const auto url = rpc.start())
            fmt::print(out, "rpc on {}\n", *url);
        else
            fmt::print(out, "rpc off (--no-rpc): other commands on {} cannot run until it stops\n",
                       cfg.data_dir.string());
        out.flush();
    } catch (const UserError&) {
        failure = std::current_exception();
    }
    if (!failure) {
        asio::co_spawn(io, watch(io, n, ctx.stop.get_token(), ::isatty(STDERR_FILENO) == 1, miner.get(), out),
                       asio::detached);
        io.run();
    }

    // Orderly stop: RPC off (its last requests need the network thread),
    // mining off, peers saved, chain jobs drained, database closed.
    stop_rpc(io, rpc);
    if (miner) miner->stop();
    n.stop();
    host.stop();
    io.restart();
    io.run_for(std::chrono::milliseconds(200));
    worker.stop(chain::StopMode::drain);
    chain.remove_observer(&mempool);
    chain.set_sig_cache(nullptr);
    ctx.close_chain();
    if (failure) std::rethrow_exception(failure);
    if (fatal) throw UserError(*fatal);
    fmt::print(out, "{} node stopped\n", role);
}

}  // namespace chainkit::apps
