// getpeerinfo, getnetworkinfo, addnode, setban/listbanned, submitblock,
// sendrawtransaction through the node, and stop: two in-process nodes on
// loopback, the first serving RPC over real HTTP.
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/client.hpp"
#include "chainkit/rpc/cookie.hpp"
#include "chainkit/rpc/node_methods.hpp"
#include "chainkit/rpc/server.hpp"

#include "node/node_harness.hpp"
#include "support/scratch_dir.hpp"

#include <asio/executor_work_guard.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace chainkit;
using rpc::Json;

namespace {

// Nodes A and B on one io_context run by a thread; A serves RPC.
struct TwoNodes {
    asio::io_context io;
    chain::Block genesis = test::make_genesis(test::node_test_params(), test::TestKey::from_seed(5).key_hash);
    test::TestNode a{io, genesis, 11};
    test::TestNode b{io, genesis, 12};
    test::ScratchDir dir{"rpc-node"};
    rpc::MethodRegistry methods;
    std::atomic<bool> stop_asked{false};
    std::unique_ptr<rpc::RpcServer> server;
    std::unique_ptr<rpc::RpcClient> client;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{io.get_executor()};
    std::thread thread;

    TwoNodes() {
        const rpc::ChainRunner run = [this](std::function<void()> job) { asio::post(io, std::move(job)); };
        rpc::register_chain_methods(
            methods,
            std::make_shared<rpc::ChainAccess>(rpc::ChainAccess{
                a.params, a.chain, a.mempool, run, io.get_executor(), std::chrono::seconds(20),
                rpc::submit_through(a.node), [node = &a.node](const chain::TxId& t) { return node->tx_taken_by(t); },
                rpc::summary_from(a.node)}));
        rpc::register_node_methods(methods,
                                   std::make_shared<rpc::NodeAccess>(rpc::NodeAccess{
                                       a.node, a.host, io.get_executor(), std::chrono::seconds(20),
                                       [] { return test::GENESIS_TIME + 1'000'000; }, [this] { stop_asked = true; }}));
        rpc::ServerConfig config;
        config.cookie_dir = dir.path();
        server = std::make_unique<rpc::RpcServer>(config, methods);
        REQUIRE(server->start().ok());
        client = std::make_unique<rpc::RpcClient>("127.0.0.1", server->port(),
                                                  rpc::read_cookie(server->cookie_path()).value());
        thread = std::thread([this] { io.run(); });
    }
    ~TwoNodes() {
        client.reset();
        server->stop();
        // The nodes stop on their own executor, then the thread ends.
        asio::post(io, [this] {
            a.node.stop();
            b.node.stop();
            a.host.stop();
            b.host.stop();
            guard.reset();
        });
        thread.join();
    }

    Json call(std::string_view method, const Json& params = Json::array()) {
        auto r = client->call(method, params);
        INFO(method << " " << params.dump() << " -> " << (r.ok() ? std::string("ok") : r.error().message));
        REQUIRE(r.ok());
        return r.value();
    }
    int error(std::string_view method, const Json& params = Json::array()) {
        auto r = client->call(method, params);
        return r.ok() ? 0 : r.error().code.value();
    }
    // Polls getpeerinfo until `pred` holds for it (false after 20 s).
    bool peers_until(const std::function<bool(const Json&)>& pred) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline)
            if (pred(call("getpeerinfo"))) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("addnode connects, getpeerinfo and getnetworkinfo show the peer", "[rpc][node]") {
    TwoNodes n;
    CHECK(n.call("getpeerinfo") == Json::array());
    const auto b_id = n.b.host.peer_id().to_string();
    CHECK(n.call("addnode", Json::array({n.b.addr().to_string(), "onetry"})).at("id") == b_id);
    REQUIRE(
        n.peers_until([&](const Json& peers) { return peers.size() == 1 && peers[0].at("handshake_done") == true; }));
    const auto peer = n.call("getpeerinfo")[0];
    CHECK(peer.at("id") == b_id);
    CHECK(peer.at("inbound") == false);
    CHECK(peer.at("banned") == false);
    CHECK(peer.at("bytessent").get<std::uint64_t>() > 0);
    const auto net_info = n.call("getnetworkinfo");
    CHECK(net_info.at("localpeerid") == n.a.host.peer_id().to_string());
    CHECK(net_info.at("connections") == 1);
    CHECK(net_info.at("connections_out") == 1);
    CHECK(net_info.at("localaddresses").size() >= 1);

    CHECK(n.error("addnode", Json::array({"not a multiaddr"})) == -32602);
    CHECK(n.error("addnode", Json::array({n.b.addr().to_string(), "sometimes"})) == -32602);
}

TEST_CASE("setban and listbanned", "[rpc][node]") {
    TwoNodes n;
    const auto b_id = n.b.host.peer_id().to_string();
    CHECK(n.call("listbanned") == Json::array());
    n.call("setban", Json::array({b_id, "add", 3600, "test"}));
    const auto banned = n.call("listbanned");
    REQUIRE(banned.size() == 1);
    CHECK(banned[0].at("peer") == b_id);
    CHECK(banned[0].at("reason") == "test");
    CHECK(banned[0].at("banned_until") == test::GENESIS_TIME + 1'000'000 + 3600);
    n.call("setban", Json{{"peer", b_id}, {"command", "remove"}});
    CHECK(n.call("listbanned") == Json::array());
    CHECK(n.error("setban", Json::array({b_id, "remove"})) == -8);
    CHECK(n.error("setban", Json::array({"nobody", "add"})) == -32602);
    CHECK(n.error("setban", Json::array({b_id, "maybe"})) == -32602);
}

TEST_CASE("submitblock and sendrawtransaction go through the node", "[rpc][node]") {
    TwoNodes n;
    const auto block = test::build_on(n.a.chain, n.a.params, n.a.chain.tip().hash, n.a.miner.key_hash);
    const auto hex = chain::to_hex(chain::encode(block));
    CHECK(n.call("submitblock", Json::array({hex})).is_null());
    CHECK(n.call("getblockcount") == 1);
    CHECK(n.call("submitblock", Json::array({hex})) == "duplicate");
    CHECK(n.error("submitblock", Json::array({"00"})) == -22);
    // The miner's coinbase of that block, spent to someone else (regtest: mature at once).
    const auto& cb = block.txs[0];
    const auto tx =
        test::make_spend({chain::OwnedCoin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 1, true}}},
                         n.a.miner, {chain::TxOut{cb.outputs[0].value - 1'000, test::TestKey::from_seed(3).key_hash}});
    CHECK(n.call("sendrawtransaction", Json::array({chain::to_hex(chain::encode(tx))})) == tx.txid().hex());
    CHECK(n.call("getrawmempool") == Json::array({tx.txid().hex()}));
}

TEST_CASE("stop calls the stop callback", "[rpc][node]") {
    TwoNodes n;
    CHECK(n.call("stop") == "chainkit stopping");
    CHECK(n.stop_asked);
}

TEST_CASE("gettransaction counts the peers that took a transaction sent through the node", "[rpc][node]") {
    TwoNodes n;
    REQUIRE(n.call("addnode", Json::array({n.b.addr().to_string(), "onetry"})).contains("id"));
    REQUIRE(
        n.peers_until([&](const Json& peers) { return peers.size() == 1 && peers[0].at("handshake_done") == true; }));
    const auto block = test::build_on(n.a.chain, n.a.params, n.a.chain.tip().hash, n.a.miner.key_hash);
    REQUIRE(n.call("submitblock", Json::array({chain::to_hex(chain::encode(block))})).is_null());
    // B must have the block (its coinbase is the coin spent below) to accept the transaction.
    const auto b_height = [&n] {
        std::packaged_task<std::uint64_t()> task([&n] { return n.b.node.tip().height; });
        auto f = task.get_future();
        asio::post(n.io, [&task] { task(); });
        return f.get();
    };
    const auto synced_by = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (b_height() < 1 && std::chrono::steady_clock::now() < synced_by) std::this_thread::yield();
    REQUIRE(b_height() == 1);
    const auto& cb = block.txs[0];
    const auto tx =
        test::make_spend({chain::OwnedCoin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 1, true}}},
                         n.a.miner, {chain::TxOut{cb.outputs[0].value - 1'000, test::TestKey::from_seed(3).key_hash}});
    const auto txid = tx.txid().hex();
    REQUIRE(n.call("sendrawtransaction", Json::array({chain::to_hex(chain::encode(tx))})) == txid);
    // B fetches what A announces: A counts it as taken.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    Json seen;
    do {
        seen = n.call("gettransaction", Json::array({txid}));
    } while (seen.at("peers") == 0 && std::chrono::steady_clock::now() < deadline);
    CHECK(seen.at("in_mempool") == true);
    CHECK(seen.at("peers") == 1);
}

// ServerConfig::node_busy as the apps wire it: true while the node has
// headers whose blocks it has not connected (its download), false once synced.
TEST_CASE("busy_while_downloading is true while a node downloads blocks, false before and after", "[rpc][node]") {
    asio::io_context io;
    const auto genesis = test::make_genesis(test::node_test_params(), test::TestKey::from_seed(5).key_hash);
    test::TestNode source{io, genesis, 21};
    test::TestNode fresh{io, genesis, 22};
    constexpr std::size_t BLOCKS = 300;
    source.mine(io, BLOCKS);
    const auto busy = rpc::busy_while_downloading(fresh.node);
    REQUIRE(test::run_until(io, [&] { return fresh.node.chain_summary() != nullptr; }));
    CHECK_FALSE(busy());
    REQUIRE(test::connect(io, fresh, source));
    bool seen_busy = false;
    REQUIRE(test::run_until(io, [&] {
        seen_busy = seen_busy || busy();
        return fresh.height() == BLOCKS && !busy();
    }));
    CHECK(seen_busy);
    CHECK_FALSE(busy());
}
