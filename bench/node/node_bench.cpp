// node_bench: end-to-end figures of the chain-protocol node (issue 13,
// docs/performance.md "Node: initial download and propagation"), each a
// ratio measured in this run:
//   - initial download of an N-block chain carrying 10 signed payments per
//     block from 1 and from 3 peers on loopback, against this machine's own
//     full-validation rate of the same blocks (bars >= 0.7 and >= 0.85);
//   - the same from 3 peers of which one stalls, against 3 honest peers
//     (bar <= 1.2x);
//   - propagation of 20 blocks along a line of 10 nodes (bar: median < 50 ms).
// Usage: node_bench [N=10000]. Every node's chain state runs on its own
// thread; the network side of every node shares the main thread.
#include "bench_node.hpp"
#include "support/raw_peer.hpp"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace chainkit;
using namespace chainkit::bench;

namespace {

double seconds_since(Clock::time_point t0, Clock::time_point t1 = Clock::now()) {
    return std::chrono::duration<double>(t1 - t0).count();
}
Clock::time_point from_ns(std::int64_t ns) {
    return Clock::time_point(Clock::duration(ns));
}

struct Validation {
    double seconds = 0;  // wall clock
    double cpu = 0;      // CPU seconds of this thread
};

// A fresh chain state (with its mempool observing, as in a node) accepting
// every block in order on this thread.
Validation full_validation(const chain::Block& genesis, const std::vector<chain::Block>& blocks, std::int64_t now) {
    const auto p = chain::params_for(chain::Network::regtest);
    chain::MemoryChainStore store;
    chain::ChainState cs(p, store);
    if (!cs.create(genesis).ok()) throw std::runtime_error("create failed");
    chain::Mempool mp(p, cs.utxo(), cs.height());
    cs.add_observer(&mp);
    const auto t0 = Clock::now();
    const auto c0 = thread_cpu_ns();
    for (const auto& b : blocks)
        if (auto r = cs.accept_block(b, now); !r.ok()) throw std::runtime_error("baseline: " + r.validation.message);
    return {seconds_since(t0), static_cast<double>(thread_cpu_ns() - c0) / 1e9};
}

struct Download {
    double seconds = 0;          // first dial to tip at N
    double headers_seconds = 0;  // first dial to best header at N
    double chain_busy = 0;       // seconds the fresh node's chain thread spent in jobs
    double chain_cpu = 0;        // CPU seconds of those jobs
    Validation baseline;         // full validation measured right before
};

// A fresh node dials `sources` (and first `staller`, once it holds blocks of
// the window) and downloads to the tip of `blocks`.
Download download(asio::io_context& io, const chain::Block& genesis, const std::vector<chain::Block>& blocks,
                  std::int64_t now, const std::vector<BenchNode*>& sources, test::RawPeer* staller, std::uint64_t seed,
                  std::vector<std::unique_ptr<BenchNode>>& keep) {
    const auto baseline = full_validation(genesis, blocks, now);
    keep.push_back(std::make_unique<BenchNode>(io, genesis, seed, now));
    auto& fresh = *keep.back();
    fresh.wait_loaded();
    fresh.start();
    const auto target = blocks.size();
    Download d;
    d.baseline = baseline;
    const auto t0 = Clock::now();
    if (staller) {
        if (!staller->connect(fresh.addr())) throw std::runtime_error("staller refused");
        auto in_flight = [&] {
            for (const auto& p : fresh.node->peers())
                if (p.blocks_in_flight > 0) return true;
            return false;
        };
        if (!run_until(io, in_flight, std::chrono::seconds(60))) throw std::runtime_error("staller got no request");
    }
    for (auto* s : sources)
        if (!connect(io, fresh, s->addr())) throw std::runtime_error("connect failed");
    std::optional<Clock::time_point> headers_done;
    const bool ok = run_until(
        io,
        [&] {
            if (!headers_done && fresh.node->sync_status().header_height >= target) headers_done = Clock::now();
            return fresh.watch.height.load(std::memory_order_acquire) >= target;
        },
        std::chrono::minutes(30));
    if (!ok) throw std::runtime_error("download did not finish");
    d.seconds = seconds_since(t0, from_ns(fresh.watch.at_ns.load()));
    d.headers_seconds = headers_done ? seconds_since(t0, *headers_done) : d.seconds;
    d.chain_busy = fresh.worker.busy_seconds();
    d.chain_cpu = fresh.worker.cpu_seconds();
    fresh.shutdown();
    return d;
}

struct Propagation {
    std::vector<double> ms;
};

// Submits each of `blocks` at one end of a line of `length` nodes and times
// until the other end has connected it.
Propagation propagate(asio::io_context& io, const chain::Block& genesis, const std::vector<chain::Block>& blocks,
                      std::int64_t now, std::size_t length, std::vector<std::unique_ptr<BenchNode>>& line) {
    for (std::size_t i = 0; i < length; ++i) {
        line.push_back(std::make_unique<BenchNode>(io, genesis, 100 + i, now));
        line.back()->wait_loaded();
        line.back()->start();
    }
    for (std::size_t i = 0; i + 1 < length; ++i)
        if (!connect(io, *line[i], line[i + 1]->addr())) throw std::runtime_error("line connect failed");
    auto all_ready = [&] {
        for (std::size_t i = 0; i < length; ++i) {
            const auto peers = line[i]->node->peers();
            const std::size_t want = (i == 0 || i + 1 == length) ? 1 : 2;
            if (std::count_if(peers.begin(), peers.end(), [](const auto& p) { return p.handshake_done; }) <
                static_cast<std::ptrdiff_t>(want))
                return false;
        }
        return true;
    };
    if (!run_until(io, all_ready, std::chrono::seconds(20))) throw std::runtime_error("line handshakes");
    Propagation out;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
        const auto t0 = Clock::now();
        asio::co_spawn(
            io,
            [&, b = blocks[k]]() -> asio::awaitable<void> {
                auto r = co_await line.front()->node->submit_block(b);
                if (!r.ok()) throw std::runtime_error("submit refused: " + r.validation.message);
            },
            asio::detached);
        auto& end = line.back()->watch;
        if (!run_until(
                io, [&] { return end.height.load() >= k + 1; }, std::chrono::seconds(30)))
            throw std::runtime_error("block did not reach the end of the line");
        out.ms.push_back(seconds_since(t0, from_ns(end.at_ns.load())) * 1000.0);
    }
    return out;
}

const char* verdict(bool ok) {
    return ok ? "meets the bar" : "MISSES the bar";
}

}  // namespace

int run(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000;
    if (n < 20) {
        fmt::print(stderr, "usage: node_bench [blocks >= 20]\n");
        return 2;
    }
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = test::TestKey::from_seed(7);
    const auto genesis = test::make_genesis(p, key.key_hash);
    const std::int64_t now = test::GENESIS_TIME + static_cast<std::int64_t>(n + 100) * p.target_spacing;

    auto t = Clock::now();
    const auto blocks = build_payment_chain(p, key, genesis, n);
    fmt::print("chain: {} blocks, {} signed payments + 1 fan-out each, built in {:.1f} s (not timed)\n", n, PAYMENTS,
               seconds_since(t));

    asio::io_context io;  // first: destroyed after every node whose handlers it holds
    std::vector<std::unique_ptr<BenchNode>> keep, line;
    t = Clock::now();
    std::vector<std::unique_ptr<BenchNode>> sources;
    for (std::uint64_t i = 0; i < 3; ++i)
        sources.push_back(std::make_unique<BenchNode>(io, genesis, 1 + i, now, blocks));
    for (auto& s : sources) {
        s->wait_loaded();
        s->start();
    }
    fmt::print("sources: 3 nodes loaded the chain in parallel in {:.1f} s (not timed)\n", seconds_since(t));

    auto report = [&](const char* what, const Download& d, double bar) {
        const double rate = static_cast<double>(n) / d.seconds;
        const double base_rate = static_cast<double>(n) / d.baseline.seconds;
        fmt::print("baseline right before: full validation {:.2f} s ({:.2f} s CPU), {:.0f} blocks/s\n",
                   d.baseline.seconds, d.baseline.cpu, base_rate);
        fmt::print(
            "download {}: {:.2f} s ({:.2f} s to headers), {:.0f} blocks/s; fresh node's chain thread: "
            "{:.2f} s in jobs, {:.2f} s CPU ({:.2f}x the baseline's CPU)\n"
            "  ratio to baseline {:.2f} (bar >= {:.2f}: {})\n",
            what, d.seconds, d.headers_seconds, rate, d.chain_busy, d.chain_cpu, d.chain_cpu / d.baseline.cpu,
            rate / base_rate, bar, verdict(rate / base_rate >= bar));
    };
    const auto one = download(io, genesis, blocks, now, {sources[0].get()}, nullptr, 10, keep);
    report("from 1 peer", one, 0.7);
    const auto three =
        download(io, genesis, blocks, now, {sources[0].get(), sources[1].get(), sources[2].get()}, nullptr, 11, keep);
    report("from 3 peers", three, 0.85);

    std::vector<chain::BlockHeader> headers{genesis.header};
    for (const auto& b : blocks) headers.push_back(b.header);
    // Announces the whole chain, answers getheaders, never sends a block.
    test::RawPeer staller(io, 12, genesis.hash(), blocks.size());
    staller.responder = test::RawPeer::serve_headers(headers);
    const auto stalled = download(io, genesis, blocks, now, {sources[0].get(), sources[1].get()}, &staller, 13, keep);
    report("from 3 peers, 1 stalling", stalled, 0.85);
    fmt::print("stall: {:.2f} s vs {:.2f} s without, ratio {:.2f}x (bar <= 1.20x: {}); staller dropped: {}\n",
               stalled.seconds, three.seconds, stalled.seconds / three.seconds,
               verdict(stalled.seconds / three.seconds <= 1.2), staller.closed ? "yes" : "no");
    for (auto& s : sources) s->shutdown();

    auto prop = propagate(io, genesis, std::vector<chain::Block>(blocks.begin(), blocks.begin() + 20), now, 10, line);
    auto sorted = prop.ms;
    std::sort(sorted.begin(), sorted.end());
    const double median = (sorted[9] + sorted[10]) / 2;
    fmt::print("propagation along 10 nodes, 20 blocks: median {:.1f} ms, max {:.1f} ms; median / 50 ms = {:.2f} ({})\n",
               median, sorted.back(), median / 50.0, verdict(median < 50.0));
    return 0;
}

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as it is measured
    spdlog::set_level(spdlog::level::warn);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "node_bench: {}\n", e.what());
        return 1;
    }
}
