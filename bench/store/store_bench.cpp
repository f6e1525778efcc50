// store_bench: the chain-state/store figures of docs/performance.md ("Chain state and store"),
// each against its bar or a peer measured in the same run.
//
//   connect tx/s (blocks of 1,000 signed txs, all cores)  vs  Ed25519 verify/s, all cores   bar >= 0.6
//   balance query at 100,000 txs                          vs  the same query at 1,000 txs   bar: flat (<= ~1.1)
//   reindex of a 10,000-block chain                        blocks/s (and vs initial accept)
//   peak RSS of a process loading + reindexing that chain  vs  100 MiB                       bar < 1.0
//
// Usage: store_bench [work dir, default /tmp]   (store_bench hold <dir> is the
// child mode that measures the 10,000-block node in a fresh process;
// store_bench connect|settled <dir> gives the connect and balance figures
// alone, "settled" taking each balance point only once the address index's
// flushes and compactions have finished, to separate their overlap from
// growth)
#include "chainkit/chain/check_queue.hpp"
#include "chainkit/store/chain_db.hpp"

#include "bench_chain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>

using namespace chainkit;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

long peak_rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

std::unique_ptr<store::ChainDb> open_db(const std::filesystem::path& dir, const chain::ConsensusParams& p) {
    auto db = store::open(dir, p, store::OpenMode::read_write);
    if (!db) throw std::runtime_error(db.error().message);
    return std::move(*db);
}

// The node every figure runs: a RocksDB chain state checking signatures on
// all cores (members in construction order: the state needs both others).
struct BenchNode {
    BenchNode(const std::filesystem::path& dir, const chain::ConsensusParams& p)
        : db(open_db(dir, p)), cs(p, *db, &queue) {}
    // Starts the chain with a genesis paying `key`, and returns that genesis.
    chain::Block create(const chain::ConsensusParams& p, const test::TestKey& key) {
        chain::Block genesis = test::make_genesis(p, key.key_hash);
        if (!cs.create(genesis)) throw std::runtime_error("create failed");
        return genesis;
    }
    std::unique_ptr<store::ChainDb> db;
    chain::SigCheckQueue queue;
    chain::ChainState cs;
};

void accept(chain::ChainState& cs, const chain::Block& b) {
    auto r = cs.accept_block(b, test::GENESIS_TIME + 1'000'000'000);
    if (!r.ok()) throw std::runtime_error("block refused: " + r.validation.message);
}

// The signature checks of each block's transactions (one input each,
// spending an output of one of `sources`), to time the bare verification.
std::vector<std::vector<chain::SigCheck>> block_checks(const std::vector<chain::Block>& blocks,
                                                       const std::vector<chain::Transaction>& sources) {
    std::map<chain::TxId, const chain::Transaction*> by_id;
    for (const auto& src : sources) by_id[src.txid()] = &src;
    std::vector<std::vector<chain::SigCheck>> out;
    for (const auto& b : blocks) {
        auto& checks = out.emplace_back();
        for (std::size_t t = 1; t < b.txs.size(); ++t) {
            const auto& tx = b.txs[t];
            const auto& in = tx.inputs[0];
            const auto& o = by_id.at(in.prevout.txid)->outputs[in.prevout.index];
            const chain::SpentOutput spent{o.value, o.key_hash};
            checks.push_back({in.pubkey, chain::signature_hash(tx, 0, {&spent, 1}), in.signature});
        }
    }
    return out;
}

// Median of 301 queries, taken in 7 rounds 5 ms apart so that a burst of
// load from other processes on the shared machine skews one round, not all.
double median_query_us(const chain::ChainState& cs, const chain::KeyHash& key, std::size_t expect) {
    std::vector<double> us;
    for (int round = 0; round < 7; ++round) {
        if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        for (int i = 0; i < 43; ++i) {
            const auto t = Clock::now();
            auto coins = cs.coins_for(key);
            us.push_back(since(t) * 1e6);
            if (!coins || coins->size() != expect) throw std::runtime_error("wrong coins_for answer");
        }
    }
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
}

// The original design's balance: walk every block of the chain, collecting
// the key's outputs and every spend (time grows with the chain).
double scan_query_us(const chain::ChainState& cs, const chain::KeyHash& key, std::size_t expect) {
    const auto t = Clock::now();
    std::map<chain::OutPoint, chain::Amount> unspent;
    for (std::uint64_t h = 0; h <= cs.height(); ++h) {
        const auto block = cs.read_block(*cs.block_hash_at(h));
        if (!block) throw std::runtime_error("block missing");
        for (const auto& tx : block->txs) {
            for (const auto& in : tx.inputs) unspent.erase(in.prevout);
            const auto txid = tx.txid();
            for (std::uint32_t o = 0; o < tx.outputs.size(); ++o)
                if (tx.outputs[o].key_hash == key) unspent[chain::OutPoint{txid, o}] = tx.outputs[o].value;
        }
    }
    const double us = since(t) * 1e6;
    if (unspent.size() != expect) throw std::runtime_error("wrong scan answer");
    return us;
}

// Waits (at most 3 s) until the address index has no L0 file and no flush or
// compaction runs (address_index_layout() names both).
void settle(const store::ChainDb& db) {
    for (int i = 0; i < 300; ++i) {
        const auto layout = db.address_index_layout();
        if (layout.find("L0 0 files") != std::string::npos && layout.find("running") == std::string::npos) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void connect_and_balance(const std::filesystem::path& dir, bool settled = false) {
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = test::TestKey::from_seed(11), other = test::TestKey::from_seed(12),
               wallet = test::TestKey::from_seed(13);
    std::filesystem::remove_all(dir);
    BenchNode node(dir, p);
    chain::Block prev = node.create(p, key);
    auto& cs = node.cs;
    std::vector<chain::Transaction> sources;
    for (int f = 0; f < 10; ++f) {  // 10 x 10,000 spendable outputs
        prev = bench::fan_out_block(prev, key, 10'000, p);
        sources.push_back(prev.txs[1]);
        accept(cs, prev);
    }
    std::size_t next = 0;
    auto wallet_block = bench::spend_blocks(prev, sources[0], next, 1, 10, key, wallet.key_hash, p);
    accept(cs, wallet_block[0]);
    prev = wallet_block[0];
    std::fprintf(stderr, "signing 100 blocks of 1,000 transactions...\n");
    std::vector<chain::Block> blocks;
    for (std::size_t s = 0; s < sources.size(); ++s) {
        std::size_t from = s == 0 ? next : 0;
        auto part = bench::spend_blocks(prev, sources[s], from, s == 0 ? 9 : 10, 1000, key, other.key_hash, p);
        prev = part.back();
        blocks.insert(blocks.end(), part.begin(), part.end());
    }
    const auto checks = block_checks(blocks, sources);
    // Verification alone and connecting alternate block by block, so load
    // from other processes hits both figures alike.
    double verify_seconds = 0, connect_seconds = 0;
    std::size_t sigs = 0;
    std::size_t txs = 0;
    std::vector<std::pair<std::size_t, double>> queries;
    std::vector<double> scans;
    std::vector<std::string> layouts;  // the sorted runs each query point's seek visits
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const auto v = Clock::now();
        if (node.queue.verify(checks[i])) throw std::runtime_error("a benchmark signature failed");
        verify_seconds += since(v);
        sigs += checks[i].size();
        const auto t = Clock::now();
        accept(cs, blocks[i]);
        connect_seconds += since(t);
        txs += blocks[i].txs.size() - 1;
        if (i == 0 || i == 9 || i == 49 || i == blocks.size() - 1) {
            if (settled) settle(*node.db);
            layouts.push_back(node.db->address_index_layout());
            queries.emplace_back(txs + 10, median_query_us(cs, wallet.key_hash, 10));
            scans.push_back(scan_query_us(cs, wallet.key_hash, 10));
        }
    }
    const double tx_rate = static_cast<double>(txs) / connect_seconds;
    const double sig_rate = static_cast<double>(sigs) / verify_seconds;
    fmt::print(
        "| connect blocks of 1,000 signed txs, {} threads | {:.0f} tx/s | Ed25519 verify, same threads: {:.0f}/s | "
        "**{:.2f}** | >= 0.6 |\n",
        node.queue.threads(), tx_rate, sig_rate, tx_rate / sig_rate);
    for (std::size_t q = 0; q < queries.size(); ++q) {
        const auto [n, us] = queries[q];
        fmt::print(
            "| balance query (10 coins) with {} txs in the chain | {:.1f} us | at {} txs: {:.1f} us | **{:.2f}** | "
            "flat |\n",
            n, us, queries[0].first, queries[0].second, us / queries[0].second);
        fmt::print("| (where) address index at {} txs: {} | | | | |\n", n, layouts[q]);
        fmt::print(
            "| (peer) balance by scanning every block, as the original design, {} txs | {:.0f} us | at {} txs: {:.0f} "
            "us | {:.2f} | grows linearly |\n",
            n, scans[q], queries[0].first, scans[0], scans[q] / scans[0]);
    }
}

void build_10k(const std::filesystem::path& dir) {
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = test::TestKey::from_seed(21);
    std::filesystem::remove_all(dir);
    BenchNode node(dir, p);
    chain::Block prev = node.create(p, key);
    auto& cs = node.cs;
    std::vector<chain::Block> blocks;
    for (int i = 0; i < 10'000; ++i) {  // each spends the previous coinbase, split in two
        const auto& cb = prev.txs[0];
        chain::OwnedCoin coin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 0, true}};
        const auto half = cb.outputs[0].value / 2;
        auto tx = test::make_spend(
            {coin}, key, {chain::TxOut{half, key.key_hash}, chain::TxOut{cb.outputs[0].value - half, key.key_hash}});
        blocks.push_back(test::build_child(prev, p, key.key_hash, {tx}));
        prev = blocks.back();
    }
    const auto t = Clock::now();
    for (const auto& b : blocks) accept(cs, b);
    const double secs = since(t);
    fmt::print("| accept 10,000 blocks (1 signed tx each) | {:.0f} blocks/s | | | |\n", 10'000 / secs);
}

int hold(const std::filesystem::path& dir) {
    const auto p = chain::params_for(chain::Network::regtest);
    BenchNode node(dir, p);
    auto& cs = node.cs;
    if (auto r = cs.load(); !r) throw std::runtime_error(r.error().message);
    const auto t = Clock::now();
    if (auto r = cs.reindex(); !r) throw std::runtime_error(r.error().message);
    const double secs = since(t);
    const auto report = cs.verify();
    if (!report || !report->ok) throw std::runtime_error("verify failed after reindex");
    const double mib = static_cast<double>(peak_rss_kib()) / 1024.0;
    fmt::print("| reindex of a {}-block chain | {:.0f} blocks/s ({:.1f} s) | | | |\n", cs.height(), cs.height() / secs,
               secs);
    fmt::print(
        "| peak RSS: load + reindex + verify of that chain | {:.1f} MiB | limit 100 MiB | **{:.2f}** | < 1.0 |\n", mib,
        mib / 100.0);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 3 && std::string(argv[1]) == "hold") return hold(argv[2]);
        if (argc == 3 && (std::string(argv[1]) == "connect" || std::string(argv[1]) == "settled")) {
            connect_and_balance(argv[2], std::string(argv[1]) == "settled");
            std::filesystem::remove_all(argv[2]);
            return 0;
        }
        const std::filesystem::path work = argc > 1 ? argv[1] : "/tmp";
        const auto dir1 = work / fmt::format("store_bench_{}_a", ::getpid());
        const auto dir2 = work / fmt::format("store_bench_{}_b", ::getpid());
        fmt::print("| figure | measured | peer / limit | ratio | bar |\n|---|---|---|---|---|\n");
        std::fflush(stdout);
        connect_and_balance(dir1);
        std::filesystem::remove_all(dir1);
        build_10k(dir2);
        std::fflush(stdout);
        const int rc = std::system(fmt::format("'{}' hold '{}'", argv[0], dir2.string()).c_str());
        std::filesystem::remove_all(dir2);
        return rc == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        return 1;
    }
}
