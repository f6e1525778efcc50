// The explorer page in a real browser: an in-process regtest node (with a
// peer) serves RPC and the page; tests/browser/explorer_check.mjs drives
// Debian's Chromium through playwright-core, compares what the page shows
// with the RPC's answers, and calls the test-only method test_mineblock (at
// POST /, behind the cookie) to see a new block appear without a reload.
// Missing node or chromium is a failure with the reason, never a skip.
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/metrics.hpp"
#include "chainkit/rpc/node_methods.hpp"
#include "chainkit/rpc/server.hpp"

#include "child_process.hpp"
#include "node/node_harness.hpp"
#include "support/scratch_dir.hpp"

#include <asio/executor_work_guard.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

using namespace chainkit;
using rpc::Json;

namespace {

constexpr const char* CHROMIUM = "/usr/bin/chromium";

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const auto end = dirs.find(':', start);
        const auto dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return false;
}

struct ExplorerNode {
    asio::io_context io;
    chain::Block genesis = test::make_genesis(test::node_test_params(), test::TestKey::from_seed(5).key_hash);
    test::TestNode a{io, genesis, 31};
    test::TestNode b{io, genesis, 32};
    test::ScratchDir dir{"explorer-browser"};
    rpc::MethodRegistry methods;
    std::unique_ptr<rpc::RpcServer> server;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{io.get_executor()};
    std::thread thread;

    // Before the io thread runs (these drive io themselves): a peer, and
    // blocks of which one spends an earlier coinbase.
    void prepare_chain() {
        REQUIRE(test::connect(io, a, b));
        a.mine(io, 3);
        const auto cb = a.chain.read_block(*a.chain.block_hash_at(1))->txs[0];
        const auto other = test::TestKey::from_seed(9);
        const auto spend = test::make_spend(
            {chain::OwnedCoin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 1, true}}}, a.miner,
            {chain::TxOut{25'000'000, other.key_hash},
             chain::TxOut{cb.outputs[0].value - 25'000'000, a.miner.key_hash}});
        a.mine(io, 1, {spend});
        a.mine(io, 2);
    }

    ExplorerNode() {
        prepare_chain();
        const rpc::ChainRunner run = [this](std::function<void()> job) { asio::post(io, std::move(job)); };
        auto chain = std::make_shared<rpc::ChainAccess>(rpc::ChainAccess{a.params,
                                                                         a.chain,
                                                                         a.mempool,
                                                                         run,
                                                                         io.get_executor(),
                                                                         std::chrono::seconds(20),
                                                                         rpc::submit_through(a.node),
                                                                         {},
                                                                         rpc::summary_from(a.node)});
        auto node = std::make_shared<rpc::NodeAccess>(rpc::NodeAccess{
            a.node, a.host, io.get_executor(), std::chrono::seconds(20), [] { return test::GENESIS_TIME; }, [] {}});
        rpc::register_chain_methods(methods, chain);
        rpc::register_node_methods(methods, node);
        // The test's hook: a block mined on A's tip, through the node (relayed).
        methods.add("test_mineblock", [this](const Json&) {
            return rpc::call_on(io.get_executor(), std::chrono::seconds(20), [this]() -> asio::awaitable<Json> {
                auto blk =
                    test::build_on(a.chain, a.params, a.chain.tip().hash, a.miner.key_hash, {}, 0, a.seed_extra++);
                const auto r = co_await a.node.submit_block(blk);
                if (!r.ok()) throw rpc::RpcError(rpc::RpcCode::misc_error, r.validation.message);
                co_return Json(blk.hash().hex());
            });
        });
        rpc::ServerConfig config;
        config.cookie_dir = dir.path();
        config.metrics = rpc::node_metrics(chain, node);
        server = std::make_unique<rpc::RpcServer>(config, methods);
        REQUIRE(server->start().ok());
        thread = std::thread([this] { io.run(); });
    }
    ~ExplorerNode() {
        server->stop();
        asio::post(io, [this] {
            a.node.stop();
            b.node.stop();
            a.host.stop();
            b.host.stop();
            guard.reset();
        });
        thread.join();
    }
};

}  // namespace

TEST_CASE("the explorer page shows the chain and peers in Chromium and updates live", "[browser][explorer]") {
    if (!on_path("node")) FAIL("Node.js (node) is not on PATH: run scripts/bootstrap.sh");
    if (::access(CHROMIUM, X_OK) != 0)
        FAIL(std::string(CHROMIUM) + " is missing: run scripts/bootstrap.sh (Debian package chromium)");
    if (!std::filesystem::exists(std::filesystem::path(BROWSER_TEST_DIR) / "node_modules" / "playwright-core"))
        FAIL("playwright-core is not installed: run tests/browser/setup.sh");
    REQUIRE_FALSE(rpc::default_www_dir().empty());

    ExplorerNode n;
    const auto url = "http://127.0.0.1:" + std::to_string(n.server->port()) + "/";
    const auto shot = std::filesystem::path(BROWSER_TEST_OUT) / "explorer.png";
    std::filesystem::remove(shot);
    net::test::ChildProcess js(BROWSER_TEST_DIR,
                               {"node", "explorer_check.mjs", url, n.server->cookie_path().string(), shot.string()});
    REQUIRE(js.started());
    // Its lines go to the test's output; the script bounds each of its waits.
    // Until its stdout closes (it exits) or the deadline passes.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        auto line = js.read_line(left);
        if (!line) break;
        std::cout << "explorer_check: " << *line << "\n";
    }
    const int code = js.wait(std::chrono::seconds(10));
    CHECK(code == 0);
    REQUIRE(std::filesystem::exists(shot));
    CHECK(std::filesystem::file_size(shot) > 10'000);
}
