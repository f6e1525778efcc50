// getblockchaininfo and getblockcount from the node's published chain
// summary (Node::chain_summary, ChainAccess::summary): answered while the
// chain thread is busy, fresh after a block connects, and consistent (every
// field from one chain state) while blocks connect under the calls. A real
// Node with its chain state on its own thread, served over real HTTP.
#include "chainkit/chain/mempool.hpp"
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/client.hpp"
#include "chainkit/rpc/cookie.hpp"
#include "chainkit/rpc/mining_methods.hpp"
#include "chainkit/rpc/node_methods.hpp"
#include "chainkit/rpc/server.hpp"
#include "chainkit/wallet/address.hpp"

#include "node/node_harness.hpp"
#include "support/scratch_dir.hpp"

#include <asio/executor_work_guard.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using namespace chainkit;
using rpc::Json;

namespace {

constexpr std::int64_t NOW = test::GENESIS_TIME + 1'000'000;

// One node: network on one thread, chain state and mempool on another (as
// startnode runs them), its RPC wired as apps/common/node_rpc.cpp wires it.
struct ThreadedNode {
    chain::ConsensusParams params = test::node_test_params();
    test::TestKey miner = test::TestKey::from_seed(21);
    chain::MemoryChainStore store;
    chain::ChainState chain{params, store};
    std::optional<chain::Mempool> mempool;
    asio::io_context net_io;
    asio::io_context chain_io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> net_guard{net_io.get_executor()};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> chain_guard{chain_io.get_executor()};
    std::unique_ptr<net::Host> host;
    std::unique_ptr<node::Node> node;
    std::thread net_thread;
    std::thread chain_thread;
    test::ScratchDir dir{"rpc-summary"};
    rpc::MethodRegistry methods;
    std::unique_ptr<rpc::RpcServer> server;
    std::string cookie;

    // `blocks` mined before the node starts; chain calls time out after `timeout`.
    explicit ThreadedNode(std::size_t blocks, std::chrono::milliseconds timeout = std::chrono::seconds(1)) {
        REQUIRE(chain.create(test::make_genesis(params, miner.key_hash)).ok());
        for (std::size_t i = 0; i < blocks; ++i)
            REQUIRE(
                chain.accept_block(test::build_on(chain, params, chain.tip().hash, miner.key_hash, {}, 0, i + 1), NOW)
                    .ok());
        mempool.emplace(params, chain.utxo(), chain.height());
        chain.add_observer(&*mempool);
        host = std::make_unique<net::Host>(net_io.get_executor(), net::Identity::from_seed(31));
        const node::ChainRunner run = [this](std::function<void()> job) { asio::post(chain_io, std::move(job)); };
        node = std::make_unique<node::Node>(net_io.get_executor(), *host,
                                            node::NodeDeps{params, chain, *mempool, run, [] { return NOW; }, nullptr,
                                                           nullptr, [](const std::string&) {}},
                                            test::TestNode::fast_config());
        auto access = std::make_shared<rpc::ChainAccess>(rpc::ChainAccess{params,
                                                                          chain,
                                                                          *mempool,
                                                                          run,
                                                                          net_io.get_executor(),
                                                                          timeout,
                                                                          rpc::submit_through(*node),
                                                                          {},
                                                                          rpc::summary_from(*node)});
        rpc::register_chain_methods(methods, access);
        rpc::register_mining_methods(
            methods, std::make_shared<rpc::MiningAccess>(
                         rpc::MiningAccess{access,
                                           [n = node.get()](chain::Block b) { return n->submit_block(std::move(b)); },
                                           [] { return NOW; },
                                           {}}));
        net_thread = std::thread([this] { net_io.run(); });
        chain_thread = std::thread([this] { chain_io.run(); });
        asio::post(net_io, [this] { node->start(); });
        rpc::ServerConfig config;
        config.cookie_dir = dir.path();
        server = std::make_unique<rpc::RpcServer>(config, methods);
        REQUIRE(server->start().ok());
        cookie = rpc::read_cookie(server->cookie_path()).value();
    }
    ThreadedNode(const ThreadedNode&) = delete;
    ThreadedNode& operator=(const ThreadedNode&) = delete;
    ~ThreadedNode() {
        server->stop();
        asio::post(net_io, [this] {
            node->stop();
            host->stop();
            net_guard.reset();
        });
        net_thread.join();
        chain_guard.reset();
        chain_thread.join();
        chain.remove_observer(&*mempool);
    }

    [[nodiscard]] rpc::RpcClient client() const {
        return rpc::RpcClient("127.0.0.1", server->port(), cookie, std::chrono::seconds(20));
    }
    // Waits (at most 20 s) until the node published its first summary (at start).
    [[nodiscard]] bool published() const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!node->chain_summary())
            if (std::chrono::steady_clock::now() > deadline)
                return false;
            else
                std::this_thread::yield();
        return true;
    }
};

Json call(rpc::RpcClient& c, std::string_view method, const Json& params = Json::array()) {
    auto r = c.call(method, params);
    INFO(method << " " << params.dump() << " -> " << (r.ok() ? std::string("ok") : r.error().message));
    REQUIRE(r.ok());
    return r.value();
}

}  // namespace

TEST_CASE("getblockchaininfo and getblockcount answer while the chain thread is busy", "[rpc][summary]") {
    ThreadedNode n(3, std::chrono::milliseconds(1000));
    REQUIRE(n.published());
    // The chain thread is held, as a sync holds it with queued validations.
    std::promise<void> release;
    std::promise<void> entered;
    asio::post(n.chain_io, [released = release.get_future().share(), &entered] {
        entered.set_value();
        released.wait();
    });
    entered.get_future().wait();
    auto client = n.client();
    const auto info = client.call("getblockchaininfo");
    const auto count = client.call("getblockcount");
    release.set_value();
    INFO((info.ok() ? std::string("ok") : info.error().message));
    REQUIRE(info.ok());
    CHECK(info.value().at("blocks") == 3);
    CHECK(info.value().at("headers") == 3);
    CHECK(info.value().at("bestblockhash") == n.chain.block_hash_at(3)->hex());
    REQUIRE(count.ok());
    CHECK(count.value() == 3);
}

TEST_CASE("after a block connects, the next getblockchaininfo shows it", "[rpc][summary]") {
    ThreadedNode n(2);
    auto client = n.client();
    const auto to = wallet::encode_address(n.miner.key_hash, n.params);
    for (std::uint64_t height = 3; height <= 7; ++height) {
        const auto mined = call(client, "generatetoaddress", Json::array({1, to}));
        const auto info = call(client, "getblockchaininfo");
        CHECK(info.at("bestblockhash") == mined.at(0));
        CHECK(info.at("blocks") == height);
        CHECK(info.at("headers") == height);
        CHECK(info.at("initialblockdownload") == false);
        CHECK(call(client, "getblockcount") == height);
    }
}

TEST_CASE("every getblockchaininfo field describes one chain state while blocks connect", "[rpc][summary]") {
    ThreadedNode n(1, std::chrono::seconds(20));
    REQUIRE(n.published());
    const auto to = wallet::encode_address(n.miner.key_hash, n.params);
    constexpr int BLOCKS = 30;
    std::atomic<bool> mining{true};
    std::mutex seen_mutex;
    std::vector<Json> seen;
    std::vector<std::thread> readers;
    for (int i = 0; i < 2; ++i)
        readers.emplace_back([&] {
            auto c = n.client();
            while (mining) {
                auto r = c.call("getblockchaininfo");
                if (!r.ok()) continue;  // counted below: every reader must have answers
                const std::lock_guard lock(seen_mutex);
                seen.push_back(std::move(r).value());
            }
        });
    {
        auto c = n.client();
        for (int i = 0; i < BLOCKS; ++i) call(c, "generatetoaddress", Json::array({1, to}));
    }
    mining = false;
    for (auto& t : readers) t.join();
    REQUIRE(seen.size() >= 2);

    // The truth, read after the fact: each height's hash, time and difficulty.
    auto c = n.client();
    std::vector<Json> headers;
    for (int h = 0; h <= BLOCKS + 1; ++h) headers.push_back(call(c, "getblockheader", Json::array({h})));
    std::map<std::uint64_t, std::string> work_at;
    for (const auto& info : seen) {
        const auto h = info.at("blocks").get<std::uint64_t>();
        REQUIRE(h < headers.size());
        const auto& hdr = headers[h];
        INFO("answer " << info.dump());
        CHECK(info.at("bestblockhash") == hdr.at("hash"));
        CHECK(info.at("headers") == h);
        CHECK(info.at("difficulty") == hdr.at("difficulty"));
        std::vector<std::int64_t> times;
        for (std::uint64_t k = h + 1; k-- > 0 && times.size() < n.params.mtp_window;)
            times.push_back(headers[k].at("time").get<std::int64_t>());
        std::sort(times.begin(), times.end());
        CHECK(info.at("mediantime") == times[times.size() / 2]);
        // One chain work per height, growing with it.
        const auto [it, added] = work_at.emplace(h, info.at("chainwork").get<std::string>());
        CHECK(it->second == info.at("chainwork").get<std::string>());
    }
    std::string previous;
    for (const auto& [h, work] : work_at) {
        CHECK(work > previous);  // fixed-width hex: string order is numeric order
        previous = work;
    }
}
