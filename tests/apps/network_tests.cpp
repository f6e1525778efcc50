// The apps as network nodes: real central and wallet processes on loopback
// (port 0: the OS picks), syncing, stopping cleanly on SIGTERM, and finding
// their peers again from peers.json after a restart.
#include "net/child_process.hpp"
#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

using chainkit::net::test::ChildProcess;
using namespace std::chrono_literals;

namespace {

struct Cmd {
    int code = -1;
    std::string out;
};

Cmd run(const std::string& dir, const std::string& bin, const std::string& args) {
    const std::string out = dir + "/cmd_out.txt";
    const std::string cmd = "cd '" + dir + "' && '" + bin + "' " + args + " >'" + out + "' 2>&1";
    const int status = std::system(cmd.c_str());
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, s.str()};
}

// Starts `bin startnode ...` and returns its listen multiaddr from its first line.
std::string started_addr(ChildProcess& p) {
    for (int i = 0; i < 5; ++i) {
        auto line = p.read_line(20s);
        REQUIRE(line.has_value());
        const auto at = line->find("listening on ");
        if (at != std::string::npos) return line->substr(at + 13);
    }
    FAIL("no listen line");
    return {};
}

bool wait_for_line(ChildProcess& p, const std::string& prefix) {
    for (int i = 0; i < 200; ++i) {
        auto line = p.read_line(30s);
        if (!line) return false;
        if (line->rfind(prefix, 0) == 0) return true;
    }
    return false;
}

std::string tip_of(const std::string& dir, int node) {
    const auto r = run(dir, CHAINKIT_WALLET_BIN, "printchain --count 1 --json --node-id " + std::to_string(node));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto at = r.out.find("\"hash\"");
    REQUIRE(at != std::string::npos);
    return r.out.substr(at, 76);
}

}  // namespace

TEST_CASE("a wallet node joins central, downloads its chain, stops cleanly and rejoins from peers.json",
          "[apps][network][integration]") {
    chainkit::test::ScratchDir scratch("network");
    const auto dir = scratch.path().string();
    auto addr = run(dir, CHAINKIT_WALLET_BIN, "createwallet --node-id 1");
    REQUIRE(addr.code == 0);
    const auto a = addr.out.substr(addr.out.rfind(' ') + 1, addr.out.size() - addr.out.rfind(' ') - 2);
    REQUIRE(run(dir, CHAINKIT_CENTRAL_BIN, "createblockchain --address " + a + " --node-id 1").code == 0);
    for (int i = 0; i < 3; ++i)
        REQUIRE(
            run(dir, CHAINKIT_WALLET_BIN, "send --from " + a + " --to " + a + " --amount 1 --mine --node-id 1").code ==
            0);
    const auto central_tip = tip_of(dir, 1);

    ChildProcess central(dir, {CHAINKIT_CENTRAL_BIN, "startnode", "--node-id", "1", "--listen", "/ip4/127.0.0.1/tcp/0",
                               "--rpc-port", "0"});
    const auto central_addr = started_addr(central);
    REQUIRE(central_addr.find("/p2p/") != std::string::npos);
    // While it runs, commands go through its RPC (never opening its database under it)...
    const auto balance = run(dir, CHAINKIT_WALLET_BIN, "getbalance --address " + a + " --node-id 1");
    CHECK(balance.code == 0);
    CHECK(balance.out == "Balance of '" + a + "': 40\n");
    // ...and one that must write the database refuses.
    const auto busy = run(dir, CHAINKIT_CENTRAL_BIN, "reindexutxo --node-id 1");
    CHECK(busy.code == 1);
    CHECK(busy.out.find("a node is running on blockchain_1") != std::string::npos);

    {
        ChildProcess wallet(
            dir, {CHAINKIT_WALLET_BIN, "startnode", "--node-id", "2", "--genesis", "genesis.dat", "--listen",
                  "/ip4/127.0.0.1/tcp/0", "--connect", central_addr, "--log-level", "info", "--rpc-port", "0"});
        (void)started_addr(wallet);
        REQUIRE(wait_for_line(wallet, "tip 3 "));
        wallet.terminate();
        CHECK(wallet.wait(20s) == 0);
    }
    CHECK(tip_of(dir, 2) == central_tip);
    std::ifstream peers(dir + "/blockchain_2/peers.json");
    std::stringstream ps;
    ps << peers.rdbuf();
    CHECK(ps.str().find(central_addr.substr(central_addr.find("/p2p/"))) != std::string::npos);

    // Restarted without --connect, it finds central again through peers.json.
    ChildProcess again(dir, {CHAINKIT_WALLET_BIN, "startnode", "--node-id", "2", "--listen", "/ip4/127.0.0.1/tcp/0",
                             "--rpc-port", "0"});
    (void)started_addr(again);
    CHECK(wait_for_line(again, "tip 3 "));
    again.terminate();
    CHECK(again.wait(20s) == 0);

    central.terminate();
    CHECK(central.wait(20s) == 0);
}
