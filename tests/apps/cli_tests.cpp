// The original single-node scenario and the user errors, driving the real
// binaries in a scratch directory (NODE_ID picks the file names).
#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class Node {
public:
    explicit Node(const chainkit::test::ScratchDir& dir, int id = 1) : m_dir(dir.path()), m_id(id) {}

    Run run(const std::string& bin, const std::string& args, const std::string& env = "") const {
        const auto out = m_dir / "stdout.txt";
        const auto err = m_dir / "stderr.txt";
        const std::string cmd = "cd '" + m_dir.string() + "' && NODE_ID=" + std::to_string(m_id) + " " + env + " '" +
                                bin + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
        const int status = std::system(cmd.c_str());
        Run r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }
    Run wallet(const std::string& args, const std::string& env = "") const {
        return run(CHAINKIT_WALLET_BIN, args, env);
    }
    Run central(const std::string& args) const { return run(CHAINKIT_CENTRAL_BIN, args); }
    Run miner(const std::string& args, const std::string& env = "") const { return run(CHAINKIT_MINER_BIN, args, env); }

    std::string new_address() const {
        const auto r = wallet("createwallet");
        REQUIRE(r.code == 0);
        return r.out.substr(r.out.rfind(' ') + 1, r.out.size() - r.out.rfind(' ') - 2);
    }
    std::string balance(const std::string& address) const {
        const auto r = wallet("getbalance --address " + address);
        INFO(r.err);
        REQUIRE(r.code == 0);
        return r.out.substr(r.out.rfind(' ') + 1, r.out.size() - r.out.rfind(' ') - 2);
    }
    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }

private:
    std::filesystem::path m_dir;
    int m_id;
};

// A user error: non-zero exit, exactly one line on stderr containing `what`, nothing on stdout.
void check_user_error(const Run& r, const std::string& what) {
    INFO("stderr: " << r.err);
    CHECK(r.code != 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.rfind("error: ", 0) == 0);
    CHECK(r.err.find(what) != std::string::npos);
    CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("the original single-node scenario, end to end", "[cli]") {
    chainkit::test::ScratchDir dir("cli");
    const Node node(dir);
    const auto alice = node.new_address();
    const auto bob = node.new_address();
    REQUIRE(alice != bob);
    const auto listed = node.wallet("listaddresses");
    CHECK(listed.out == alice + "\n" + bob + "\n");

    const auto created = node.central("createblockchain --address " + alice + " --export-genesis genesis.dat");
    INFO(created.err);
    REQUIRE(created.code == 0);
    CHECK(std::filesystem::exists(dir / "blockchain_1"));
    CHECK(std::filesystem::exists(dir / "genesis.dat"));
    CHECK(node.balance(alice) == "10");  // the genesis subsidy

    const auto sent = node.wallet("send --from " + alice + " --to " + bob + " --amount 3 --mine");
    INFO(sent.err);
    REQUIRE(sent.code == 0);
    // Regtest: subsidy 10, fee 0. Alice: 10 - 3 sent + 10 for mining the block
    // (its coinbase pays the sender, subsidy + fee 0) = 17. Bob: 3.
    CHECK(node.balance(alice) == "17");
    CHECK(node.balance(bob) == "3");

    const auto text = node.wallet("printchain");
    REQUIRE(text.code == 0);
    CHECK(text.out.find("Block 1 ") != std::string::npos);
    CHECK(text.out.find("Block 0 ") != std::string::npos);
    CHECK(text.out.find("\x1b[") == std::string::npos);  // piped: no colors
    const auto json = node.wallet("printchain --json");
    REQUIRE(json.code == 0);
    const auto blocks = nlohmann::json::parse(json.out);
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0]["height"] == 1);
    CHECK(blocks[1]["height"] == 0);
    CHECK(blocks[0]["prev"] == blocks[1]["hash"]);
    REQUIRE(blocks[0]["transactions"].size() == 2);
    const auto& pay = blocks[0]["transactions"][1];
    CHECK(pay["outputs"][0]["address"] == bob);
    CHECK(pay["outputs"][0]["value"] == "3");
    CHECK(pay["outputs"][1]["address"] == alice);
    CHECK(pay["outputs"][1]["value"] == "7");
    const auto one = nlohmann::json::parse(node.wallet("printchain --json --from 0 --count 1").out);
    REQUIRE(one.size() == 1);
    CHECK(one[0]["hash"] == blocks[1]["hash"]);

    const auto reindexed = node.wallet("reindexutxo");
    INFO(reindexed.err);
    REQUIRE(reindexed.code == 0);
    CHECK(reindexed.out.find("2 transactions (3 outputs)") != std::string::npos);
    CHECK(node.balance(alice) == "17");
    CHECK(node.balance(bob) == "3");
    CHECK(node.wallet("verify").code == 0);

    SECTION("a send no peer takes fails in one line, stays pending, and its coins are not spent twice") {
        // No node runs here and no --connect: nothing is built.
        check_user_error(node.wallet("send --from " + alice + " --to " + bob + " --amount 1"),
                         "no node runs on blockchain_1: start one ('startnode') or pass --connect MULTIADDR");
        // The only peer is down (nothing listens on port 1).
        check_user_error(
            node.wallet("send --from " + alice + " --to " + bob + " --amount 1 --connect /ip4/127.0.0.1/tcp/1"),
            "was accepted by the local node but no peer took it within 10 s: 0 peers connected; it stays pending");
        // Largest coin first: the pending tx spends Alice's 10-coin coinbase, paying 1 + 9 change.
        const auto shown = node.wallet("getbalance --address " + alice);
        CHECK(shown.out == "Balance of '" + alice + "': 17 (unconfirmed: -1)\n");
        // Only the 7-coin output is left to spend.
        check_user_error(node.wallet("send --from " + alice + " --to " + bob + " --amount 8 --mine"),
                         "insufficient funds: available 7, needed 8 (amount 8 + fee 0); 10 more is immature coinbase "
                         "or spent by pending");
        const auto mined = node.wallet("send --from " + alice + " --to " + bob + " --amount 7 --mine");
        INFO(mined.err);
        REQUIRE(mined.code == 0);
        // Bob: 3 + 7 confirmed; the pending 1 is shown apart.
        CHECK(node.wallet("getbalance --address " + bob).out == "Balance of '" + bob + "': 10 (unconfirmed: +1)\n");
    }
    SECTION("another node imports the genesis file and sees the genesis balance") {
        const Node second(dir, 2);
        const auto r = second.wallet("getbalance --genesis genesis.dat --address " + alice);
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(r.out == "Balance of '" + alice + "': 10\n");
        CHECK(std::filesystem::exists(dir / "blockchain_2"));
    }
    SECTION("user errors exit non-zero with one line and change nothing") {
        const auto wallet_before = slurp(dir / "wallet_1.dat");
        check_user_error(node.wallet("getbalance --address 1notanaddress0"), "bad address");
        check_user_error(node.wallet("getbalance --address " + alice.substr(0, alice.size() - 1)), "bad address");
        check_user_error(node.wallet("send --from " + alice + " --to " + bob + " --amount 1.234567891 --mine"),
                         "--amount");
        check_user_error(node.wallet("send --from " + alice + " --to " + bob + " --amount abc --mine"), "--amount");
        check_user_error(node.wallet("send --from " + alice + " --to " + bob + " --amount 100 --mine"),
                         "insufficient funds: available 17, needed 100");
        check_user_error(node.wallet("send --from " + bob + "x --to " + alice + " --amount 1 --mine"), "--from");
        check_user_error(node.central("createblockchain --address " + alice), "already exists");
        check_user_error(node.wallet("getbalance --network main --address " + alice), "not the main network");
        std::ofstream(dir / "bad_genesis.dat") << "CKGENESI but not a block";
        check_user_error(Node(dir, 5).wallet("getbalance --genesis bad_genesis.dat --address " + alice),
                         "bad genesis file");
        CHECK_FALSE(std::filesystem::exists(dir / "blockchain_5"));
        const Node empty(dir, 3);
        check_user_error(empty.wallet("getbalance --address " + alice), "no blockchain in blockchain_3");
        check_user_error(empty.wallet("listaddresses"), "no wallet file");
        CHECK(slurp(dir / "wallet_1.dat") == wallet_before);
        CHECK(node.balance(alice) == "17");
        CHECK(node.balance(bob) == "3");
        CHECK_FALSE(std::filesystem::exists(dir / "blockchain_3"));
    }
}

TEST_CASE("an encrypted wallet needs its passphrase", "[cli]") {
    chainkit::test::ScratchDir dir("cli");
    const Node node(dir, 4);
    {
        std::ofstream(dir / "pass.txt") << "right horse\n";
        std::ofstream(dir / "wrong.txt") << "wrong horse\n";
    }
    const auto created = node.wallet("createwallet --passphrase-file pass.txt");
    REQUIRE(created.code == 0);
    const auto listed = node.wallet("listaddresses --passphrase-file pass.txt");
    REQUIRE(listed.code == 0);
    CHECK(created.out.find(listed.out.substr(0, listed.out.size() - 1)) != std::string::npos);
    const auto before = slurp(dir / "wallet_4.dat");
    check_user_error(node.wallet("listaddresses --passphrase-file wrong.txt"), "wrong wallet passphrase");
    check_user_error(node.wallet("createwallet"), "is encrypted");
    CHECK(slurp(dir / "wallet_4.dat") == before);
}

TEST_CASE("the miner app mines blocks whose coinbases pay the given address", "[cli]") {
    chainkit::test::ScratchDir dir("cli-mine");
    const Node node(dir);
    const auto alice = node.new_address();
    const auto bob = node.new_address();
    REQUIRE(node.central("createblockchain --address " + alice).code == 0);

    const auto mined = node.miner("mine --address " + bob + " --blocks 3");
    INFO(mined.err);
    REQUIRE(mined.code == 0);
    CHECK(node.balance(bob) == "30");  // three regtest coinbases of 10
    CHECK(node.balance(alice) == "10");
    const auto chain = node.wallet("printchain --json");
    REQUIRE(chain.code == 0);
    const auto blocks = nlohmann::json::parse(chain.out);
    CHECK(blocks.size() == 4);  // genesis + 3

    // A forced kernel and a thread count; the hash rate is logged.
    const auto forced = node.miner("mine --address " + bob + " --blocks 1 --threads 1 --log-level info",
                                   "CHAINKIT_MINER_KERNEL=scalar");
    INFO(forced.err);
    REQUIRE(forced.code == 0);
    CHECK(forced.err.find("M nonces/s, kernel scalar, threads 1") != std::string::npos);
    CHECK(node.balance(bob) == "40");

    check_user_error(node.miner("mine --address " + bob + " --blocks 0"), "blocks");
    check_user_error(node.miner("mine --address nope --blocks 1"), "bad address");
    check_user_error(node.miner("mine --address " + bob + " --threads 257"), "--threads");
    check_user_error(node.miner("mine --address " + bob, "CHAINKIT_MINER_KERNEL=sse9"), "CHAINKIT_MINER_KERNEL 'sse9'");
    CHECK(node.balance(bob) == "40");  // refused commands changed nothing
}
