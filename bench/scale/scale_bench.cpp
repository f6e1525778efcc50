// scale_bench: N full nodes on one machine (issue 11, "100 nodes on one
// machine"; docs/performance.md "100 nodes on one machine"). The nodes live
// in this process (scale_cluster.hpp: one chain thread per node, the network
// side over one io_context thread per core, TCP on loopback between all of
// them), start from a 1,000-block chain, and each dials 8 random others.
// Then, on random nodes:
//   - 20 rounds of 4 transactions (each timed until it is in every pool)
//     and a ~1 KB block of them (timed until every node has connected it);
//   - 20 rounds of ~100 KB blocks, their transactions relayed first;
//   - RSS per node and chain-protocol bytes sent per node per block.
// --sig-cache on (default: as the apps run), off (every node verifies a
// block's signatures again), or both: the block phases run with the cache
// off, then on, in the same network (kinds suffixed _nocache in the CSV).
// Prints a report and, with --csv FILE, every arrival time (kind, round,
// node, ms) for scripts/scale/run.sh to draw. --phases runs a subset;
// --timeline prints each block's steady-clock window, so a profile taken
// with `perf record -k CLOCK_MONOTONIC -p PID` can be cut to the blocks
// (`perf report --time START,END`). Release preset.
#include "scale_cluster.hpp"
#include "scale_fixture.hpp"
#include "scale_report.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <malloc.h>
#include <optional>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace chainkit;
using namespace chainkit::bench;

namespace {

struct Options {
    std::size_t nodes = 100;
    std::size_t degree = 8;
    std::size_t rounds = 20;
    std::size_t chain = 1000;
    std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    std::size_t big_block = 100'000;
    std::uint64_t seed = 1;
    std::string csv;
    std::string sig_cache = "on";  // on, off, both
    bool timeline = false;
    bool shared_arenas = false;
    std::vector<std::string> phases{"small", "big", "wide"};
};

// The options, or nullopt when --help was asked (CLI11 printed it). A bad
// or unknown option throws CLI::ParseError (main prints its one line).
std::optional<Options> parse(int argc, char** argv) {
    Options o;
    CLI::App app{
        "scale_bench: N full nodes on one machine; propagation of transactions, 1 KB and 100 KB blocks, "
        "RSS and bytes per block (issue 11; docs/performance.md). Release preset."};
    app.add_option("--nodes", o.nodes, "nodes in this process")->check(CLI::Range(std::size_t{2}, std::size_t{10'000}));
    app.add_option("--degree", o.degree, "random peers each node dials")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
    app.add_option("--rounds", o.rounds, "blocks (and transaction rounds) per phase")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}));
    app.add_option("--chain", o.chain, "blocks of the shared starting chain")
        ->check(CLI::Range(std::size_t{2}, std::size_t{1'000'000}));
    app.add_option("--threads", o.threads, "network threads (default: one per core)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{256}));
    app.add_option("--big-block", o.big_block, "size of the big blocks in bytes")
        ->check(CLI::Range(std::size_t{1'000}, std::size_t{4'000'000}));
    app.add_option("--seed", o.seed, "seed of the random wiring and miners");
    app.add_option("--csv", o.csv, "write every arrival time (kind, round, node, ms) to this file");
    app.add_option("--phases", o.phases,
                   "which phases run: small (4-payment blocks and transaction relay), big (blocks of --big-block "
                   "bytes of payments), wide (the same size in one transaction)")
        ->check(CLI::IsMember({"small", "big", "wide"}))
        ->delimiter(',');
    app.add_flag("--timeline", o.timeline,
                 "print each block's steady-clock window (CLOCK_MONOTONIC ns), to slice a `perf record -k "
                 "CLOCK_MONOTONIC` profile");
    app.add_flag("--shared-arenas", o.shared_arenas,
                 "keep glibc's default of 8 malloc arenas per core for all the nodes' threads (by default each "
                 "thread gets its own, as each node has its own heap when nodes are processes)");
    app.add_option("--sig-cache", o.sig_cache, "on (as the apps run), off, or both (off then on)")
        ->check(CLI::IsMember({"on", "off", "both"}));
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::fputs(app.help().c_str(), stdout);
        return std::nullopt;
    }
    return o;
}

class Run {
public:
    Run(const Options& o, Cluster& c, std::vector<chain::OwnedCoin> coins)
        : m_o(o), m_c(c), m_coins(std::move(coins)), m_rng(o.seed * 7919) {}

    // Submits `tx` on a random node; per-node ms until it entered each pool.
    std::vector<double> relay_tx(const chain::Transaction& tx) {
        const auto txs = std::vector<chain::Transaction>{tx};
        return relay_txs(txs);
    }

    std::vector<double> relay_txs(const std::vector<chain::Transaction>& txs) {
        auto& src = *m_c.nodes[m_rng() % m_c.nodes.size()];
        m_pool_total += txs.size();
        const auto t0 = now_ns();
        asio::co_spawn(
            src.io,
            [&src, txs]() -> asio::awaitable<void> {
                for (const auto& tx : txs) (void)co_await src.node->submit_transaction(tx);
            },
            asio::detached);
        const auto want = m_pool_total;
        if (!wait_for(
                [&] { return all([&](ScaleNode& n) { return n.watch.txs.load(std::memory_order_acquire) >= want; }); },
                std::chrono::seconds(120)))
            throw std::runtime_error(fmt::format("{} transaction(s) did not reach every pool", txs.size()));
        std::vector<double> ms;
        for (auto& n : m_c.nodes) ms.push_back(static_cast<double>(n->watch.tx_ns.load() - t0) / 1e6);
        return ms;
    }

    // Mines `txs` in a block on a random node; per-node ms until connected.
    std::vector<double> mine(std::vector<chain::Transaction> txs, std::size_t& block_size, double& bytes_per_node) {
        auto& m = *m_c.nodes[m_rng() % m_c.nodes.size()];
        const auto extra = ++m_extra;
        auto b = run_on_chain(m, [&m, &txs, extra] {
            return test::build_on(m.chain, m.params, m.chain.tip().hash, test::TestKey::from_seed(9).key_hash,
                                  std::move(txs), 0, extra);
        });
        block_size = b.serialized_size();
        // Counted from a quiet network (the last transaction announcements
        // sent) to a quiet network (the block's last announcements sent).
        const auto before = quiet_sent();
        const auto h = ++m_height;
        const auto t0 = now_ns();
        asio::co_spawn(
            m.io,
            [&m, b = std::move(b)]() -> asio::awaitable<void> {
                auto r = co_await m.node->submit_block(b);
                if (!r.ok()) spdlog::error("block refused: {}", r.validation.message);
            },
            asio::detached);
        if (!wait_for([&] { return all([&](ScaleNode& n) { return n.watch.height.load() >= h; }); },
                      std::chrono::seconds(120)))
            throw std::runtime_error(fmt::format("block {} did not reach every node", h));
        std::vector<double> ms;
        std::int64_t last = t0;
        for (auto& n : m_c.nodes) {
            ms.push_back(static_cast<double>(n->watch.tip_ns.load() - t0) / 1e6);
            last = std::max(last, n->watch.tip_ns.load());
        }
        if (m_o.timeline) fmt::print("timeline: block {} ({} B) from {} to {} ns\n", h, block_size, t0, last);
        // A session that ended meanwhile takes its counter out of the sum:
        // such a round has no figure (-1).
        const auto after = quiet_sent();
        bytes_per_node =
            after < before ? -1 : static_cast<double>(after - before) / static_cast<double>(m_c.nodes.size());
        return ms;
    }

    chain::OwnedCoin next_coin() {
        if (m_next >= m_coins.size()) throw std::runtime_error("out of coins: use a longer --chain");
        return m_coins[m_next++];
    }
    chain::Transaction next_tx() { return spend_coin(next_coin(), test::TestKey::from_seed(7)); }

    void set_height(std::uint64_t h) { m_height = h; }

private:
    template <class Pred>
    bool all(Pred pred) {
        for (auto& n : m_c.nodes)
            if (!pred(*n)) return false;
        return true;
    }
    std::uint64_t sent() {
        std::uint64_t s = 0;
        for (std::size_t i = 0; i < m_c.nodes.size(); ++i) s += m_c.bytes_sent(i);
        return s;
    }
    // Bytes sent once 100 ms pass with under 16 B per node sent (pings,
    // every 30 s per peer, never stop); after 5 s, whatever was sent.
    std::uint64_t quiet_sent() {
        auto last = sent();
        const auto deadline = Clock::now() + std::chrono::seconds(5);
        while (Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            const auto now = sent();
            if (now - last < 16 * m_c.nodes.size()) return now;
            last = now;
        }
        return last;
    }

    const Options& m_o;
    Cluster& m_c;
    std::vector<chain::OwnedCoin> m_coins;
    std::size_t m_next = 0;
    std::size_t m_pool_total = 0;
    std::uint64_t m_height = 0;
    std::uint64_t m_extra = 0;
    std::mt19937_64 m_rng;
};

}  // namespace

// `txs` mined on a random node; the arrivals go to `stats` and `samples`.
void mine_round(Run& r, std::vector<chain::Transaction> txs, PhaseStats& stats, const char* kind, std::size_t k,
                std::vector<Sample>& samples) {
    std::size_t size = 0;
    double bytes = 0;
    const double cpu0 = cpu_seconds();
    auto ms = r.mine(std::move(txs), size, bytes);
    stats.cpu.push_back(cpu_seconds() - cpu0);
    stats.all_ms.push_back(*std::max_element(ms.begin(), ms.end()));
    stats.sizes.push_back(static_cast<double>(size));
    if (bytes >= 0)
        stats.bytes.push_back(bytes);
    else
        ++stats.bytes_skipped;
    samples.push_back({kind, k, std::move(ms)});
}

// One-input payments adding up to a block of about `target` bytes.
std::vector<chain::Transaction> fill_block(Run& r, std::size_t target) {
    std::vector<chain::Transaction> txs;
    std::size_t bytes_in = 200;  // header, count, coinbase
    while (bytes_in < target) {
        txs.push_back(r.next_tx());
        bytes_in += txs.back().serialized_size();
    }
    return txs;
}

// One transaction of about `target` - 200 bytes: `coin` split into many outputs.
chain::Transaction fan_out(const chain::OwnedCoin& coin, std::size_t target) {
    const auto key = test::TestKey::from_seed(7);
    std::size_t n = 1;
    for (int pass = 0; pass < 3; ++pass) {
        const auto size = spend_coin(coin, key).serialized_size() + (n - 1) * 28;
        n = std::clamp<std::size_t>(n * (target - 200) / size, 1, chain::TX_MAX_OUTPUTS);
    }
    const auto part = coin.coin.out.value / static_cast<chain::Amount>(n);
    return test::make_spend({coin}, key, std::vector<chain::TxOut>(n, {part, key.key_hash}));
}

int run(int argc, char** argv) {
    const auto parsed = parse(argc, argv);
    if (!parsed) return 0;
    const auto& o = *parsed;
    // Every node runs in this one process, and glibc serves its ~N threads
    // from 8 arenas per core: nodes would contend for arena locks and
    // consolidate each other's free chunks, which separate node processes
    // (each with its own heap) never do. An arena per thread, before any
    // thread starts, keeps the harness's allocator costs those of N nodes.
    if (!o.shared_arenas) mallopt(M_ARENA_MAX, static_cast<int>(std::min<std::size_t>(4 * o.nodes + 64, 65'536)));
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = test::TestKey::from_seed(7);
    const auto genesis = test::make_genesis(p, key.key_hash);
    const std::int64_t now =
        test::GENESIS_TIME + static_cast<std::int64_t>(o.chain + 2 * o.rounds + 10) * p.target_spacing;
    const double sig_rate = signature_checks_per_second(key);
    auto fx = build_fixture(p, key, genesis, o.chain, 16);
    fmt::print(
        "scale_bench: {} nodes, {} network threads, {}-block chain; single-core signature checks: {:.0f} per CPU "
        "second\n",
        o.nodes, o.threads, o.chain, sig_rate);

    const auto rss0 = rss_bytes();
    Cluster c(o.threads);
    for (std::size_t i = 0; i < o.nodes; ++i) c.add(p, genesis, 1000 + i, now, fx.blocks);
    auto t = Clock::now();
    c.start();
    const auto links = c.wire_random(o.degree, o.seed);
    fmt::print("network: {} links (each node dialed {} random others; mean degree {:.1f}), up in {:.1f} s\n",
               links.size(), o.degree, 2.0 * static_cast<double>(links.size()) / static_cast<double>(o.nodes),
               std::chrono::duration<double>(Clock::now() - t).count());
    const auto rss_chain = rss_bytes();
    fmt::print("memory with the {}-block chain: RSS {:.1f} MiB per node ({:.2f} of the 30 MiB bar)\n", o.chain,
               static_cast<double>(rss_chain - rss0) / o.nodes / (1 << 20),
               static_cast<double>(rss_chain - rss0) / o.nodes / (30 << 20));

    Run r(o, c, std::move(fx.coins));
    r.set_height(o.chain);
    std::vector<Sample> samples;
    PhaseStats wide;
    std::vector<bool> modes;
    if (o.sig_cache != "on") modes.push_back(false);
    if (o.sig_cache != "off") modes.push_back(true);
    const auto kb = o.big_block / 1000.0;
    const auto runs = [&o](const char* phase) {
        return std::find(o.phases.begin(), o.phases.end(), phase) != o.phases.end();
    };
    for (const bool cached : modes) {
        for (auto& n : c.nodes) run_on_chain(*n, [&n, cached] { n->use_sig_cache(cached); });
        const std::string mode = cached ? "sig cache on" : "sig cache off";
        const std::string suffix = cached || o.sig_cache != "both" ? "" : "_nocache";
        PhaseStats small, tx, big;
        auto paths = block_paths(c);
        for (std::size_t k = 0; k < o.rounds && runs("small"); ++k) {
            std::vector<chain::Transaction> txs;
            for (int i = 0; i < 4; ++i) {
                txs.push_back(r.next_tx());
                auto ms = r.relay_tx(txs.back());
                tx.all_ms.push_back(*std::max_element(ms.begin(), ms.end()));
                samples.push_back({"tx" + suffix, k, std::move(ms)});
            }
            mine_round(r, std::move(txs), small, ("block_1k" + suffix).c_str(), k, samples);
        }
        if (runs("small")) {
            print_phase(("1 KB blocks, " + mode).c_str(), small, 300, 1000);
            auto paths_after = block_paths(c);
            print_paths(paths, paths_after, o.rounds, o.nodes);
            paths = paths_after;
            print_phase(("transactions, " + mode).c_str(), tx, 300, 1000);  // submitted, not mined
        }
        for (std::size_t k = 0; k < o.rounds && runs("big"); ++k) {
            auto txs = fill_block(r, o.big_block);
            if (k == 0)
                fmt::print(
                    "{:.0f} KB blocks carry {} transactions: {:.1f} ms of signature checks per node, {:.0f} ms for "
                    "all {} nodes on one core\n",
                    kb, txs.size(), 1000.0 * txs.size() / sig_rate, 1000.0 * txs.size() * o.nodes / sig_rate, o.nodes);
            (void)r.relay_txs(txs);
            mine_round(r, std::move(txs), big, ("block_100k" + suffix).c_str(), k, samples);
        }
        if (runs("big")) {
            print_phase(fmt::format("{:.0f} KB blocks, {}", kb, mode).c_str(), big, 300, 1000);
            print_paths(paths, block_paths(c), o.rounds, o.nodes);
        }
        std::uint64_t hits = 0, misses = 0;
        for (auto& n : c.nodes) {
            const auto st = n->sig_cache.stats();
            hits += st.hits;
            misses += st.misses;
        }
        fmt::print("  signature cache, all nodes so far: {} transactions skipped, {} verified in blocks\n", hits,
                   misses);
    }
    // The same size with one signature: what relaying the bytes costs
    // without each node verifying hundreds of signatures again.
    const auto wide_paths = block_paths(c);
    for (std::size_t k = 0; k < o.rounds && runs("wide"); ++k) {
        std::vector<chain::Transaction> txs{fan_out(r.next_coin(), o.big_block)};
        (void)r.relay_txs(txs);
        mine_round(r, std::move(txs), wide, "block_100k_1sig", k, samples);
    }
    if (runs("wide")) {
        print_phase(fmt::format("{:.0f} KB blocks of one transaction (1 signature)", kb).c_str(), wide, 300, 1000);
        print_paths(wide_paths, block_paths(c), o.rounds, o.nodes);
    }
    const auto rss_end = rss_bytes();
    fmt::print("memory at the end ({} more blocks): RSS {:.1f} MiB per node\n", 3 * o.rounds,
               static_cast<double>(rss_end - rss0) / o.nodes / (1 << 20));
    if (!o.csv.empty()) {
        std::ofstream f(o.csv);
        f << "kind,round,node,ms\n";
        for (const auto& s : samples)
            for (std::size_t i = 0; i < s.ms.size(); ++i)
                f << s.kind << ',' << s.round << ',' << i << ',' << s.ms[i] << '\n';
    }
    c.stop();
    return 0;
}

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    spdlog::set_level(spdlog::level::warn);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "scale_bench: {}\n", e.what());
        return 1;
    }
}
