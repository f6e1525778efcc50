// load_bench: one node under a transaction flood (issue 11, "Load";
// docs/performance.md "Load"). In this process: the node under load (T) and
// `--others` full nodes each linked to T only (scale_cluster.hpp), several
// load clients (load_peer.hpp) pushing valid pre-signed transactions with
// random fee rates at T over the chain protocol as fast as T reads them, and
// a prober pinging T every 100 ms (on a thread of its own). The first other node mines a <= 100 KB
// block from its pool every --block-every seconds. T's mempool is capped at
// --mempool-bytes so that it fills. Measured in one run:
//   - transactions T accepted per second, against this machine's
//     single-core signature-check rate;
//   - T's pool size against its cap, and the fee rates evicted against
//     those kept;
//   - chain-protocol ping round trips to T, block relay through T;
//   - every transaction T accepted entering every other node's pool or a block.
#include "chainkit/chain/block_template.hpp"

#include "load_peer.hpp"
#include "scale_fixture.hpp"
#include "scale_report.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <unordered_set>

using namespace chainkit;
using namespace chainkit::bench;

namespace {

struct Options {
    double seconds = 60;
    std::size_t clients = 4;
    std::size_t others = 2;
    std::size_t mempool_bytes = 2'000'000;
    std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    double block_every = 5;
    std::size_t send_queue = node::NodeConfig{}.max_send_queue_bytes;
};

// The options, or nullopt when --help was asked (CLI11 printed it). A bad
// or unknown option throws CLI::ParseError (main prints its one line).
std::optional<Options> parse(int argc, char** argv) {
    Options o;
    CLI::App app{
        "load_bench: clients submit valid transactions to one node as fast as it accepts them, beside "
        "other nodes and a miner (issue 11, \"Load\"; docs/performance.md). Release preset."};
    app.add_option("--seconds", o.seconds, "how long the clients submit")->check(CLI::Range(0.1, 86'400.0));
    app.add_option("--clients", o.clients, "submitting clients")->check(CLI::Range(std::size_t{1}, std::size_t{256}));
    app.add_option("--others", o.others, "other nodes beside the one under load")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
    app.add_option("--mempool-bytes", o.mempool_bytes, "each node's mempool limit")
        ->check(CLI::Range(std::size_t{10'000}, std::size_t{1'000'000'000}));
    app.add_option("--threads", o.threads, "network threads (default: one per core)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{256}));
    app.add_option("--send-queue", o.send_queue, "each peer's send queue bound in bytes")
        ->check(CLI::Range(std::size_t{1'024}, std::size_t{1'000'000'000}));
    app.add_option("--block-every", o.block_every, "seconds between mined blocks")->check(CLI::Range(0.01, 3'600.0));
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::fputs(app.help().c_str(), stdout);
        return std::nullopt;
    }
    return o;
}

// Txids that entered one node's pool (on its chain thread).
struct TxLog : chain::ChainObserver {
    void on_tx_accepted(const chain::Transaction& tx) override {
        const auto id = tx.txid();
        std::lock_guard lock(m);
        ids.insert(id);
    }
    std::size_t size() {
        std::lock_guard lock(m);
        return ids.size();
    }
    std::mutex m;
    std::unordered_set<chain::TxId, chain::HashHasher> ids;
};

using Rates = std::unordered_map<chain::TxId, double, chain::HashHasher>;

// Signs a spend of every coin with a random fee (2 threads; not timed) and
// deals the encoded tx messages round-robin to the clients.
Rates prepare(const std::vector<chain::OwnedCoin>& coins, const test::TestKey& key,
              std::vector<std::unique_ptr<LoadPeer>>& clients) {
    const std::size_t parts = 2;
    std::vector<std::vector<std::pair<chain::Transaction, chain::Amount>>> made(parts);
    std::vector<std::thread> ts;
    for (std::size_t t = 0; t < parts; ++t)
        ts.emplace_back([&, t] {
            std::mt19937_64 rng(t + 1);
            for (std::size_t i = t; i < coins.size(); i += parts) {
                const chain::Amount fee = static_cast<chain::Amount>(1 + rng() % 2000);
                made[t].emplace_back(spend_coin(coins[i], key, fee), fee);
            }
        });
    for (auto& t : ts) t.join();
    Rates rates;
    std::size_t k = 0;
    for (auto& part : made)
        for (auto& [tx, fee] : part) {
            const auto size = tx.serialized_size();
            rates.emplace(tx.txid(), static_cast<double>(fee) / static_cast<double>(size));
            clients[k++ % clients.size()]->queue.push_back(node::encode_message(node::TxMsg{std::move(tx)}));
        }
    return rates;
}

struct BlockRelay {
    std::uint64_t height;
    std::int64_t submitted_ns;
    std::vector<double> ms;  // per other node but the miner, then T first
};

// The timed flood and what it left behind.
struct Measure {
    const Options& o;
    Cluster& c;
    std::vector<std::unique_ptr<LoadPeer>>& clients;
    LoadPeer& prober;
    std::vector<std::unique_ptr<TxLog>>& logs;
    Rates& rates;
    double sig_rate;
    std::int64_t now;

    std::uint64_t read_bytes = 0;         // what T read from the clients during the flood
    std::vector<std::size_t> per_second;  // T's accepted count, once a second
    std::vector<double> fill;             // T's pool bytes / cap, once a second
    std::vector<BlockRelay> blocks;
    std::unordered_set<chain::TxId, chain::HashHasher> mined;
    std::size_t accepted = 0;
    std::size_t sent = 0;
    std::uint64_t extra = 0;
    std::size_t supplied = 0;  // transactions the clients had
    double chain_cpu = 0;      // CPU seconds of T's chain thread during the flood
    Clock::time_point end_of_flood;
    double settled_after = 0;                                 // seconds from the end of the flood to idle nodes
    std::unordered_set<chain::TxId, chain::HashHasher> pool;  // T's pool at the end

    void flood() {
        auto& t = *c.nodes[0];
        const auto t0 = Clock::now();
        const auto until = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
        const auto cpu0 = run_on_chain(t, [] { return thread_cpu_ns(); });
        for (auto& cl : clients) cl->flood(until);
        auto next_sample = t0 + std::chrono::seconds(1);
        auto next_block =
            t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.block_every));
        while (Clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            track_blocks();
            if (Clock::now() >= next_sample) {
                next_sample += std::chrono::seconds(1);
                per_second.push_back(logs[0]->size());
                fill.push_back(static_cast<double>(run_on_chain(t, [&t] { return t.mempool.bytes(); })) /
                               static_cast<double>(o.mempool_bytes));
            }
            if (Clock::now() >= next_block) {
                next_block += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.block_every));
                mine();
            }
        }
        accepted = logs[0]->size();
        read_bytes = run_on(t.io, [&t] {
            std::uint64_t b = 0;
            for (const auto& p : t.node->peers())
                if (p.user_agent == "load_bench") b += p.bytes_received;
            return b;
        });
        end_of_flood = Clock::now();
        chain_cpu = static_cast<double>(run_on_chain(t, [] { return thread_cpu_ns(); }) - cpu0) / 1e9;
        for (auto& cl : clients) {
            sent += cl->sent.load();
            supplied += cl->queue.size();
        }
    }

    // A <= 100 KB block from the first other node's pool, mined there.
    void mine() {
        auto& m = *c.nodes[1];
        const auto x = ++extra;
        auto b = run_on_chain(m, [&m, x, now = now] {
            const auto ctx = m.chain.next_block_context(now);
            auto t = chain::make_block_template(m.mempool, ctx, {test::TestKey::from_seed(9).key_hash, 100'000, x},
                                                m.params);
            test::mine_header(t.block.header, m.params);
            return std::pair{t.block, ctx.height};
        });
        for (const auto& tx : b.first.txs) mined.insert(tx.txid());
        blocks.push_back({b.second, now_ns(), std::vector<double>(c.nodes.size(), -1)});
        asio::co_spawn(
            m.io,
            [&m, blk = std::move(b.first)]() -> asio::awaitable<void> { (void)co_await m.node->submit_block(blk); },
            asio::detached);
    }

    void track_blocks() {
        for (auto& b : blocks)
            for (std::size_t i = 0; i < c.nodes.size(); ++i)
                if (b.ms[i] < 0 && c.nodes[i]->watch.height.load() >= b.height)
                    b.ms[i] = static_cast<double>(c.nodes[i]->watch.tip_ns.load() - b.submitted_ns) / 1e6;
    }

    // Waits until the nodes are idle: no pool grows and under 4 KB of
    // chain-protocol messages (the prober's pings) flow for 2 s; at most
    // 120 s. A node refusing transactions from a full pool grows no pool,
    // so the bytes matter too.
    void settle() {
        std::vector<std::size_t> last(logs.size(), 0);
        std::uint64_t last_bytes = 0;
        auto quiet_since = Clock::now();
        const auto deadline = Clock::now() + std::chrono::seconds(120);
        while (Clock::now() - quiet_since < std::chrono::seconds(2) && Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            track_blocks();
            std::uint64_t bytes = 0;
            for (std::size_t i = 0; i < c.nodes.size(); ++i) bytes += c.bytes_sent(i);
            bool busy = bytes - last_bytes > 4096;
            last_bytes = bytes;
            for (std::size_t i = 0; i < logs.size(); ++i)
                if (const auto n = logs[i]->size(); n != last[i]) {
                    last[i] = n;
                    busy = true;
                }
            if (busy) quiet_since = Clock::now();
        }
        settled_after = std::chrono::duration<double>(Clock::now() - end_of_flood).count();
    }

    void settle_and_report() {
        settle();
        auto& t = *c.nodes[0];
        const auto counters = run_on(t.io, [&t] { return t.node->counters(); });
        const double rate = static_cast<double>(accepted) / o.seconds;
        fmt::print(
            "accepted by T: {} transactions in {:.0f} s = {:.0f}/s; ratio to the single-core signature-check "
            "rate {:.2f} ({} sent by the clients, {} refused by T)\n",
            accepted, o.seconds, rate, rate / sig_rate, sent, counters.txs_rejected);
        fmt::print(
            "T's chain thread ran {:.1f} CPU s of the {:.0f} s: {:.0f} accepted per CPU second = {:.2f} of the "
            "signature-check rate\n",
            chain_cpu, o.seconds, static_cast<double>(accepted) / chain_cpu,
            static_cast<double>(accepted) / chain_cpu / sig_rate);
        std::uint64_t queued = 0, count = 0;
        for (auto& cl : clients)
            for (const auto& m : cl->queue) {
                queued += m.size();
                ++count;
            }
        const double read =
            static_cast<double>(read_bytes) / (static_cast<double>(queued) / static_cast<double>(count));
        fmt::print(
            "T read about {:.0f} transactions from the clients (bytes received / mean message size) = {:.0f}/s "
            "= {:.2f} of the signature-check rate: once the pool is full, those paying less than its lowest "
            "rate are refused (mempool_full) before their signature is checked\n",
            read, read / o.seconds, read / o.seconds / sig_rate);
        std::string timeline;
        for (std::size_t i = 0; i < per_second.size(); i += 5)
            timeline += fmt::format(" {}", per_second[i] - (i >= 5 ? per_second[i - 5] : 0));
        fmt::print("accepted by T per 5 s:{}; T's peers at the end: {} (clients, prober, others)\n", timeline,
                   run_on(t.io, [&t] { return t.node->peers().size(); }));
        if (sent >= supplied)
            fmt::print("the clients sent all {} transactions before the end: the rate above is a lower bound\n",
                       supplied);
        report_pool();
        const auto rtts = prober.rtts_ms();
        fmt::print(
            "ping to T every 100 ms: {} answered, median {:.1f} ms, max {:.1f} ms ({:.2f} of the 1 s bar); "
            "unanswered at the end: {:.0f} ms\n",
            rtts.size(), percentile(rtts, 0.5), percentile(rtts, 1.0), percentile(rtts, 1.0) / 1000,
            prober.outstanding_ms());
        report_blocks();
        fmt::print("after the flood the nodes were idle again in {:.1f} s\n", settled_after);
        report_reach();
    }

    void report_pool() {
        auto& t = *c.nodes[0];
        const auto full = std::find_if(fill.begin(), fill.end(), [](double f) { return f >= 0.95; });
        const std::vector<double> later(full, fill.end());
        fmt::print(
            "T's pool, sampled each second: full (>= 0.95 of its {} B cap) from second {} on, then "
            "{:.2f}..{:.2f} of the cap (median {:.2f})\n",
            o.mempool_bytes, full - fill.begin() + 1, percentile(later, 0), percentile(later, 1),
            percentile(later, 0.5));
        pool = run_on_chain(t, [&t] {
            std::unordered_set<chain::TxId, chain::HashHasher> s;
            for (const auto* e : t.mempool.entries()) s.insert(e->txid);
            return s;
        });
        std::vector<double> kept, evicted;
        for (const auto& id : logs[0]->ids) {
            const auto it = rates.find(id);
            if (it == rates.end()) continue;
            if (pool.contains(id))
                kept.push_back(it->second);
            else if (!mined.contains(id))
                evicted.push_back(it->second);
        }
        std::size_t above = 0;
        const double kept_min = percentile(kept, 0);
        for (double r : evicted) above += r > kept_min ? 1 : 0;
        fmt::print(
            "fee rates (base units/B): {} kept in T's pool, min {:.3f} median {:.3f}; {} evicted, median {:.3f} "
            "max {:.3f}; evicted above the kept minimum: {}\n",
            kept.size(), kept_min, percentile(kept, 0.5), evicted.size(), percentile(evicted, 0.5),
            percentile(evicted, 1.0), above);
    }

    void report_blocks() {
        std::vector<double> at_miner, at_t, through_t;
        std::size_t missing = 0;
        for (const auto& b : blocks) {
            at_miner.push_back(b.ms[1]);
            at_t.push_back(b.ms[0]);
            for (std::size_t i = 2; i < b.ms.size(); ++i) {
                if (b.ms[i] < 0)
                    ++missing;
                else
                    through_t.push_back(b.ms[i]);
            }
            if (b.ms[0] < 0) ++missing;
        }
        fmt::print(
            "blocks mined during the flood: {}; connected by their miner median {:.0f} ms max {:.0f} ms, at T "
            "median {:.0f} ms max {:.0f} ms, relayed by T to the others median {:.0f} ms max {:.0f} ms; not "
            "arrived: {}\n",
            blocks.size(), percentile(at_miner, 0.5), percentile(at_miner, 1.0), percentile(at_t, 0.5),
            percentile(at_t, 1.0), percentile(through_t, 0.5), percentile(through_t, 1.0), missing);
    }

    // A transaction T accepted and then evicted (a full pool keeps the best
    // fee rates) may go before a peer asks for it: the bar is that every
    // transaction T still holds reached the other nodes.
    void report_reach() {
        for (std::size_t i = 1; i < logs.size(); ++i) {
            auto& n = *c.nodes[i];
            // The lowest fee rate the other node's (full) pool keeps: below
            // it, its refusal (mempool_full) is the policy, not a relay loss.
            const double floor = run_on_chain(n, [&n, this] {
                double lo = 1e300;
                for (const auto* e : n.mempool.entries())
                    if (auto it = rates.find(e->txid); it != rates.end()) lo = std::min(lo, it->second);
                return lo;
            });
            std::size_t reached = 0, gone = 0, below = 0, failed = 0;
            std::lock_guard lock(logs[i]->m);
            for (const auto& id : logs[0]->ids) {
                if (logs[i]->ids.contains(id) || mined.contains(id))
                    ++reached;
                else if (!pool.contains(id))
                    ++gone;
                else if (rates[id] < floor)
                    ++below;
                else
                    ++failed;
            }
            fmt::print(
                "other node {}: of T's {} accepted transactions {} entered its pool or a block; of the rest {} "
                "were evicted from T's full pool, {} pay less than its own full pool keeps at the end, {} unexplained "
                "(T holds them)\n",
                i, logs[0]->ids.size(), reached, gone, below, failed);
        }
    }
};
}  // namespace

int run(int argc, char** argv) {
    const auto parsed = parse(argc, argv);
    if (!parsed) return 0;
    const auto& o = *parsed;
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = test::TestKey::from_seed(7);
    const auto genesis = test::make_genesis(p, key.key_hash);
    const double sig_rate = signature_checks_per_second(key);
    const auto supply = std::max<std::size_t>(20'000, static_cast<std::size_t>(sig_rate * o.seconds * 0.8));
    const std::size_t fanout = 2000;
    auto fx = build_fixture(p, key, genesis, supply / fanout + 2, fanout);
    const auto length = fx.blocks.size();
    const std::int64_t now = test::GENESIS_TIME + static_cast<std::int64_t>(length + 100) * p.target_spacing;
    fmt::print(
        "load_bench: single-core signature checks {:.0f} per CPU second; {} pre-signed transactions for {} clients "
        "over "
        "{:.0f} s; T's pool capped at {} B; {} other node(s)\n",
        sig_rate, fx.coins.size(), o.clients, o.seconds, o.mempool_bytes, o.others);

    Cluster c(o.threads);
    ScaleNodeOptions opt;
    opt.mempool.max_bytes = o.mempool_bytes;
    opt.node.target_outbound = 0;
    opt.node.max_send_queue_bytes = o.send_queue;
    std::vector<std::unique_ptr<TxLog>> logs;
    for (std::size_t i = 0; i <= o.others; ++i) {
        auto& n = c.add(p, genesis, 500 + i, now, fx.blocks, opt);
        logs.push_back(std::make_unique<TxLog>());
        run_on_chain(n, [&n, log = logs.back().get()] { n.mempool.add_observer(log); });
    }
    c.start();
    for (std::size_t i = 1; i <= o.others; ++i) c.link(i, 0);
    auto& t_node = *c.nodes[0];

    asio::io_context cio;  // the clients' thread
    auto guard = asio::make_work_guard(cio);
    std::vector<std::unique_ptr<LoadPeer>> clients;
    for (std::size_t i = 0; i < o.clients; ++i)
        clients.push_back(std::make_unique<LoadPeer>(cio, 5000 + i, genesis.hash(), length));
    auto rates = prepare(fx.coins, key, clients);
    // The prober on a thread of its own: on the clients' thread its pongs
    // waited for the flooding writers' turns, which timed that thread, not T.
    asio::io_context pio;
    auto pguard = asio::make_work_guard(pio);
    LoadPeer prober(pio, 6000, genesis.hash(), length);
    std::thread cthread([&cio] { cio.run(); });
    std::thread pthread([&pio] { pio.run(); });
    for (auto& cl : clients) cl->start(t_node.addr());
    prober.start(t_node.addr(), std::chrono::milliseconds(100));
    if (!wait_for(
            [&] {
                for (auto& cl : clients)
                    if (cl->ready == 0) return false;
                return prober.ready != 0;
            },
            std::chrono::seconds(30)))
        throw std::runtime_error("clients did not connect");
    for (auto& cl : clients)
        if (cl->ready < 0) throw std::runtime_error("a client failed to connect");
    Measure m{o, c, clients, prober, logs, rates, sig_rate, now, 0, {}, {}, {}, {}, 0, 0, 0, 0, 0, {}, 0, {}};
    m.flood();
    m.settle_and_report();
    prober.stop();
    for (auto& cl : clients) cl->stop();
    c.stop();
    guard.reset();
    cio.stop();
    cthread.join();
    pguard.reset();
    pio.stop();
    pthread.join();
    return 0;
}

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    spdlog::set_level(spdlog::level::warn);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "load_bench: {}\n", e.what());
        return 1;
    }
}
