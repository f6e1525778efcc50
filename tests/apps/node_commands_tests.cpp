// Every command while a node runs on its data directory: the real binaries,
// the commands going through the node's JSON-RPC (apps/common/node_link,
// node_commands, send_commands) while it syncs and mines, and `send`
// handing a payment to the network only when a peer takes it.
#include "net/child_process.hpp"
#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

using chainkit::net::test::ChildProcess;
using namespace std::chrono_literals;

namespace {

struct Cmd {
    int code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Cmd run(const std::string& dir, const std::string& bin, const std::string& args) {
    const std::string out = dir + "/cmd_out.txt";
    const std::string err = dir + "/cmd_err.txt";
    const std::string cmd = "cd '" + dir + "' && '" + bin + "' " + args + " >'" + out + "' 2>'" + err + "'";
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

// The node's listen multiaddr; reads on until its "rpc on" line.
std::string start_lines(ChildProcess& p, bool rpc = true) {
    std::string addr;
    for (int i = 0; i < 10; ++i) {
        auto line = p.read_line(30s);
        REQUIRE(line.has_value());
        if (const auto at = line->find("listening on "); at != std::string::npos) addr = line->substr(at + 13);
        if (line->rfind(rpc ? "rpc on http://127.0.0.1:" : "rpc off", 0) == 0) return addr;
    }
    FAIL("no rpc line");
    return {};
}

bool wait_for_line(ChildProcess& p, const std::string& prefix) {
    for (int i = 0; i < 2'000; ++i) {
        auto line = p.read_line(30s);
        if (!line) return false;
        if (line->rfind(prefix, 0) == 0) return true;
    }
    return false;
}

std::string address_of(const Cmd& created) {
    const auto at = created.out.rfind(' ');
    return created.out.substr(at + 1, created.out.size() - at - 2);
}

std::vector<std::string> node_args(const std::string& bin, int id, std::vector<std::string> more = {}) {
    std::vector<std::string> args{
        bin, "startnode", "--node-id", std::to_string(id), "--listen", "/ip4/127.0.0.1/tcp/0", "--rpc-port", "0"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// A chain on node 1 whose genesis pays the returned address 10.
std::string make_chain(const std::string& dir) {
    const auto a = address_of(run(dir, CHAINKIT_WALLET_BIN, "createwallet --node-id 1"));
    REQUIRE(run(dir, CHAINKIT_CENTRAL_BIN, "createblockchain --address " + a + " --node-id 1").code == 0);
    return a;
}

}  // namespace

TEST_CASE("every command answers through the running node", "[apps][rpc][integration]") {
    chainkit::test::ScratchDir scratch("node-commands");
    const auto dir = scratch.path().string();
    const auto a = make_chain(dir);
    const auto b = address_of(run(dir, CHAINKIT_WALLET_BIN, "createwallet --node-id 1"));
    const auto offline_chain = run(dir, CHAINKIT_WALLET_BIN, "printchain --node-id 1");
    REQUIRE(offline_chain.code == 0);

    ChildProcess node(dir, node_args(CHAINKIT_CENTRAL_BIN, 1));
    (void)start_lines(node);
    CHECK(std::filesystem::exists(dir + "/blockchain_1/rpc.endpoint"));
    CHECK((std::filesystem::status(dir + "/blockchain_1/rpc.endpoint").permissions() &
           std::filesystem::perms::group_all) == std::filesystem::perms::none);

    // Another node asked for the same RPC port fails in one line and stops in order.
    const auto url = slurp(dir + "/blockchain_1/rpc.endpoint");
    const auto port = url.substr(url.rfind(':') + 1, url.size() - url.rfind(':') - 2);
    const auto clash =
        run(dir, CHAINKIT_WALLET_BIN,
            "startnode --node-id 2 --genesis genesis.dat --listen /ip4/127.0.0.1/tcp/0 --rpc-port " + port);
    CHECK(clash.code == 1);
    CHECK(clash.err == "error: rpc: cannot listen on 127.0.0.1:" + port + " (pass --rpc-port PORT, or --no-rpc)\n");
    CHECK(!std::filesystem::exists(dir + "/blockchain_2/rpc.endpoint"));
    CHECK(!std::filesystem::exists(dir + "/blockchain_2/.cookie"));
    CHECK(run(dir, CHAINKIT_WALLET_BIN, "getbalance --address " + a + " --node-id 2").out ==
          "Balance of '" + a + "': 10\n");

    const auto w = [&](const std::string& args) { return run(dir, CHAINKIT_WALLET_BIN, args + " --node-id 1"); };
    // The same output as from the database.
    CHECK(w("printchain").out == offline_chain.out);
    CHECK(w("getbalance --address " + a).out == "Balance of '" + a + "': 10\n");
    CHECK(w("listaddresses").out == a + "\n" + b + "\n");
    const auto verified = w("verify");
    CHECK(verified.code == 0);
    CHECK(verified.out == "ok: chain of height 0 verified, 1 unspent outputs match the blocks\n");

    // mine: the node mines the blocks (generatetoaddress) on its tip.
    const auto mined = run(dir, CHAINKIT_MINER_BIN, "mine --address " + a + " --blocks 2 --node-id 1");
    INFO(mined.err);
    REQUIRE(mined.code == 0);
    CHECK(mined.out.find("at height 1\n") != std::string::npos);
    CHECK(mined.out.find("at height 2\n") != std::string::npos);
    // printchain with its options, text and JSON.
    const auto top = nlohmann::json::parse(w("printchain --json --count 1").out);
    REQUIRE(top.size() == 1);
    CHECK(top[0]["height"] == 2);
    const auto middle = nlohmann::json::parse(w("printchain --json --from 1 --count 1").out);
    CHECK(middle[0]["height"] == 1);
    CHECK(middle[0]["hash"] == top[0]["prev"]);
    CHECK(w("printchain --from 0").out == offline_chain.out);
    const auto above = w("printchain --from 9");
    CHECK(above.code != 0);
    CHECK(above.err == "error: --from 9 is above the tip height 2\n");

    // send --mine through the node: its block confirms the payment.
    const auto paid = w("send --from " + a + " --to " + b + " --amount 3 --mine");
    INFO(paid.err);
    REQUIRE(paid.code == 0);
    CHECK(paid.out.rfind("Success! Sent 3 from " + a, 0) == 0);
    CHECK(w("getbalance --address " + b).out == "Balance of '" + b + "': 3\n");
    CHECK(w("verify").out.find("chain of height 3 verified") != std::string::npos);

    // A send no peer takes: one line, non-zero, the payment stays pending (its coins held).
    const auto lonely = w("send --from " + b + " --to " + a + " --amount 1");
    CHECK(lonely.code != 0);
    CHECK(lonely.out.empty());
    CHECK(lonely.err.find("accepted by the local node but no peer took it within 10 s: 0 peers connected") !=
          std::string::npos);
    CHECK(std::count(lonely.err.begin(), lonely.err.end(), '\n') == 1);
    CHECK(w("getbalance --address " + b).out == "Balance of '" + b + "': 3 (unconfirmed: -1)\n");
    // b's one coin is spent by the pending payment: only its unconfirmed change (2) is left.
    const auto twice = w("send --from " + b + " --to " + a + " --amount 3");
    CHECK(twice.code != 0);
    CHECK(twice.err.find("insufficient funds") != std::string::npos);

    // The node mines the pending payment; the next send prunes it from the wallet.
    REQUIRE(run(dir, CHAINKIT_MINER_BIN, "mine --address " + a + " --blocks 1 --node-id 1").code == 0);
    CHECK(w("getbalance --address " + b).out == "Balance of '" + b + "': 2\n");

    node.terminate();
    CHECK(node.wait(20s) == 0);
    CHECK(!std::filesystem::exists(dir + "/blockchain_1/rpc.endpoint"));
    CHECK(!std::filesystem::exists(dir + "/blockchain_1/.cookie"));
    // Without the node, the database path again.
    CHECK(w("getbalance --address " + b).out == "Balance of '" + b + "': 2\n");

    // A node with its RPC off: one clear line, non-zero.
    ChildProcess quiet(dir, node_args(CHAINKIT_CENTRAL_BIN, 1, {"--no-rpc"}));
    (void)start_lines(quiet, false);
    const auto refused = w("getbalance --address " + b);
    CHECK(refused.code != 0);
    CHECK(refused.err ==
          "error: a node is running on blockchain_1 with its RPC off (--no-rpc): restart it without "
          "--no-rpc, or stop it, to use this command\n");
    quiet.terminate();
    CHECK(quiet.wait(20s) == 0);
}

TEST_CASE("send hands a payment to the network and says sent only once a peer took it", "[apps][rpc][integration]") {
    chainkit::test::ScratchDir scratch("node-send");
    const auto dir = scratch.path().string();
    const auto a = make_chain(dir);
    const auto b = address_of(run(dir, CHAINKIT_WALLET_BIN, "createwallet --node-id 2"));
    REQUIRE(run(dir, CHAINKIT_WALLET_BIN, "send --from " + a + " --to " + a + " --amount 1 --mine --node-id 1").code ==
            0);

    ChildProcess central(dir, node_args(CHAINKIT_CENTRAL_BIN, 1));
    const auto central_addr = start_lines(central);
    auto wallet = std::make_unique<ChildProcess>(
        dir, node_args(CHAINKIT_WALLET_BIN, 2, {"--genesis", "genesis.dat", "--connect", central_addr}));
    const auto wallet_addr = start_lines(*wallet);
    REQUIRE(wait_for_line(*wallet, "tip 1 "));

    // Through central's RPC: sent once the wallet node fetched it; it is in the wallet node's mempool.
    const auto sent = run(dir, CHAINKIT_WALLET_BIN, "send --from " + a + " --to " + b + " --amount 2 --node-id 1");
    INFO(sent.err);
    REQUIRE(sent.code == 0);
    CHECK(sent.out.rfind("Sent 2 from " + a + " to " + b, 0) == 0);
    CHECK(sent.out.find("taken by 1 peer\n") != std::string::npos);
    CHECK(run(dir, CHAINKIT_WALLET_BIN, "getbalance --address " + b + " --node-id 2").out ==
          "Balance of '" + b + "': 0 (unconfirmed: +2)\n");

    // The only peer down: the one-line reason, non-zero.
    wallet->terminate();
    CHECK(wallet->wait(20s) == 0);
    wallet.reset();
    const auto alone = run(dir, CHAINKIT_WALLET_BIN, "send --from " + a + " --to " + b + " --amount 1 --node-id 1");
    CHECK(alone.code != 0);
    CHECK(alone.err.find("accepted by the local node but no peer took it within 10 s: 0 peers connected") !=
          std::string::npos);
    central.terminate();
    CHECK(central.wait(20s) == 0);

    // No node on this data directory: --connect hands it over through a short-lived node.
    ChildProcess peer(dir, node_args(CHAINKIT_WALLET_BIN, 2));
    const auto peer_addr = start_lines(peer);
    const auto connected = run(dir, CHAINKIT_WALLET_BIN,
                               "send --from " + a + " --to " + b + " --amount 1 --node-id 1 --connect " + peer_addr);
    INFO(connected.err);
    REQUIRE(connected.code == 0);
    CHECK(connected.out.find("taken by 1 peer\n") != std::string::npos);
    CHECK(run(dir, CHAINKIT_WALLET_BIN, "getbalance --address " + b + " --node-id 2").out.find("(unconfirmed: +") !=
          std::string::npos);
    peer.terminate();
    CHECK(peer.wait(20s) == 0);
}

// The bar: 1,000 CLI reads (each its own process: getbalance and
// printchain, on the mining node and on the node syncing from it) from 4
// threads at once, none failing. Measured (dev build, 2 shared cores):
// about 40 ms per process.
TEST_CASE("1000 CLI reads during sync and mining: none fails", "[apps][rpc][integration]") {
    chainkit::test::ScratchDir scratch("node-reads");
    const auto dir = scratch.path().string();
    const auto a = make_chain(dir);
    ChildProcess miner(dir, node_args(CHAINKIT_MINER_BIN, 1, {"--miner", a, "--continuous", "--threads", "1"}));
    const auto miner_addr = start_lines(miner);
    const auto height_of = [&](int node) {
        const auto r = run(dir, CHAINKIT_WALLET_BIN, "printchain --json --count 1 --node-id " + std::to_string(node));
        REQUIRE(r.code == 0);
        return nlohmann::json::parse(r.out).at(0).at("height").get<std::uint64_t>();
    };
    // Some chain to download first (the miner's timestamps never run ahead
    // of the clock, so this takes a few seconds).
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (height_of(1) < 10 && std::chrono::steady_clock::now() < deadline) {
    }
    ChildProcess syncing(dir, node_args(CHAINKIT_WALLET_BIN, 2, {"--genesis", "genesis.dat", "--connect", miner_addr}));
    (void)start_lines(syncing);

    constexpr int WORKERS = 4;
    constexpr int READS = 1'000;
    std::vector<std::string> failures(WORKERS);
    std::vector<int> failed(WORKERS, 0);
    std::vector<std::uint64_t> lowest(WORKERS, UINT64_MAX), highest(WORKERS, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < WORKERS; ++t)
        threads.emplace_back([&, t] {
            const auto own = dir + "/w" + std::to_string(t);
            std::filesystem::create_directory(own);
            for (int i = t; i < READS; i += WORKERS) {
                const int node = 1 + (i / 2) % 2;
                const auto flags = " --data-dir ../blockchain_" + std::to_string(node) + " --wallet ../wallet_1.dat";
                const auto r = i % 2 == 0 ? run(own, CHAINKIT_WALLET_BIN, "getbalance --address " + a + flags)
                                          : run(own, CHAINKIT_WALLET_BIN, "printchain --json --count 2" + flags);
                if (r.code != 0 || r.out.empty()) {
                    if (failed[t]++ == 0) failures[t] = r.err;
                    continue;
                }
                if (i % 2 == 1 && node == 2) {
                    const auto h = nlohmann::json::parse(r.out).at(0).at("height").get<std::uint64_t>();
                    lowest[t] = std::min(lowest[t], h);
                    highest[t] = std::max(highest[t], h);
                }
            }
        });
    for (auto& t : threads) t.join();
    for (int t = 0; t < WORKERS; ++t) {
        INFO("worker " << t << ": " << failures[t]);
        CHECK(failed[t] == 0);
    }
    // The syncing node's tip moved while it was read.
    CHECK(*std::min_element(lowest.begin(), lowest.end()) < *std::max_element(highest.begin(), highest.end()));
    syncing.terminate();
    CHECK(syncing.wait(20s) == 0);
    miner.terminate();
    CHECK(miner.wait(20s) == 0);
}
