// /metrics: the exposition text's shape, and a scrape of a node that then
// receives a block from a peer, scraped again: the counters moved.
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/metrics.hpp"
#include "chainkit/rpc/node_methods.hpp"
#include "chainkit/rpc/server.hpp"

#include "node/node_harness.hpp"
#include "support/scratch_dir.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <httplib.h>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

using namespace chainkit;

namespace {

// "name{labels}" -> value, checking that every line is a comment or a sample.
std::map<std::string, double> parse(const std::string& text) {
    static const std::regex sample(R"(^([a-z_]+(\{[a-z_]+="[^"]*"\})?) (-?[0-9.e+-]+|\+Inf|NaN)$)");
    std::map<std::string, double> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
        std::smatch m;
        INFO(line);
        REQUIRE(std::regex_match(line, m, sample));
        out[m[1]] = std::stod(m[3]);
    }
    return out;
}

struct MetricsNodes {
    asio::io_context io;
    chain::Block genesis = test::make_genesis(test::node_test_params(), test::TestKey::from_seed(5).key_hash);
    test::TestNode a{io, genesis, 21};
    test::TestNode b{io, genesis, 22};
    test::ScratchDir dir{"rpc-metrics"};
    rpc::MethodRegistry methods;
    std::unique_ptr<rpc::RpcServer> server;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{io.get_executor()};
    std::thread thread;

    MetricsNodes() {
        REQUIRE(test::connect(io, a, b));  // before the io thread runs: connect drives io itself
        const rpc::ChainRunner run = [this](std::function<void()> job) { asio::post(io, std::move(job)); };
        auto chain = std::make_shared<rpc::ChainAccess>(rpc::ChainAccess{
            a.params, a.chain, a.mempool, run, io.get_executor(), std::chrono::seconds(20), {}, {}, {}});
        auto node = std::make_shared<rpc::NodeAccess>(rpc::NodeAccess{
            a.node, a.host, io.get_executor(), std::chrono::seconds(20), [] { return test::GENESIS_TIME; }, [] {}});
        rpc::register_chain_methods(methods, chain);
        rpc::ServerConfig config;
        config.cookie_dir = dir.path();
        config.metrics = rpc::node_metrics(chain, node);
        server = std::make_unique<rpc::RpcServer>(config, methods);
        REQUIRE(server->start().ok());
        thread = std::thread([this] { io.run(); });
    }
    ~MetricsNodes() {
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

    std::map<std::string, double> scrape() {
        httplib::Client c("127.0.0.1", server->port());
        auto res = c.Get("/metrics");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        CHECK(res->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
        return parse(res->body);
    }
    // B mines a block on the io thread; A hears of it through relay.
    void mine_on_b() {
        auto done = asio::co_spawn(
            io,
            [this]() -> asio::awaitable<bool> {
                auto blk =
                    test::build_on(b.chain, b.params, b.chain.tip().hash, b.miner.key_hash, {}, 0, b.seed_extra++);
                co_return (co_await b.node.submit_block(blk)).ok();
            },
            asio::use_future);
        REQUIRE(done.get());
    }
};

}  // namespace

TEST_CASE("render_metrics writes the Prometheus text format", "[rpc][metrics]") {
    rpc::MetricsSnapshot s;
    s.sync.block_height = 4;
    s.sync.header_height = 8;
    s.peers.resize(3);
    s.peers[0].inbound = true;
    s.counters.blocks_rejected = 2;
    s.counters.blocks_rejected_by_reason["bad-pow"] = 2;
    s.counters.bytes_received_by_type[static_cast<std::size_t>(node::MessageType::block)] = 1234;
    s.counters.validation_time_buckets = {1, 0, 2, 0, 0, 0, 0, 0, 1};
    s.counters.validations = 4;
    const auto text = rpc::render_metrics(s);
    const auto m = parse(text);
    CHECK(m.at("chainkit_block_height") == 4);
    CHECK(m.at("chainkit_sync_progress") == 0.5);
    CHECK(m.at("chainkit_peers{direction=\"inbound\"}") == 1);
    CHECK(m.at("chainkit_peers{direction=\"outbound\"}") == 2);
    CHECK(m.at("chainkit_blocks_rejected_total{reason=\"bad-pow\"}") == 2);
    CHECK(m.at("chainkit_message_bytes_received_total{type=\"block\"}") == 1234);
    // Histogram buckets are cumulative and end at +Inf == count.
    CHECK(m.at("chainkit_block_validation_seconds_bucket{le=\"0.0005\"}") == 1);
    CHECK(m.at("chainkit_block_validation_seconds_bucket{le=\"0.0025\"}") == 3);
    CHECK(m.at("chainkit_block_validation_seconds_bucket{le=\"1\"}") == 3);
    CHECK(m.at("chainkit_block_validation_seconds_bucket{le=\"+Inf\"}") == 4);
    CHECK(m.at("chainkit_block_validation_seconds_count") == 4);
    CHECK(text.find("# TYPE chainkit_block_validation_seconds histogram") != std::string::npos);
}

TEST_CASE("/metrics counters move when the node receives a block", "[rpc][metrics]") {
    MetricsNodes n;
    const auto before = n.scrape();
    CHECK(before.at("chainkit_block_height") == 0);
    CHECK(before.at("chainkit_peers{direction=\"outbound\"}") + before.at("chainkit_peers{direction=\"inbound\"}") ==
          1);
    CHECK(before.at("chainkit_process_resident_memory_bytes") > 1'000'000);
    CHECK(before.at("chainkit_message_bytes_received_total{type=\"version\"}") > 0);

    n.mine_on_b();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto after = n.scrape();
    while (after.at("chainkit_block_height") < 1 && std::chrono::steady_clock::now() < deadline) after = n.scrape();
    REQUIRE(after.at("chainkit_block_height") == 1);
    CHECK(after.at("chainkit_header_height") == 1);
    CHECK(after.at("chainkit_sync_progress") == 1);
    CHECK(after.at("chainkit_blocks_accepted_total") == before.at("chainkit_blocks_accepted_total") + 1);
    CHECK(after.at("chainkit_block_validation_seconds_count") ==
          before.at("chainkit_block_validation_seconds_count") + 1);
    CHECK(after.at("chainkit_block_validation_seconds_sum") > 0);
    // The block came as a compact block (pushed, or asked for with
    // getdata) or, failing that, whole: either way its bytes are counted.
    const auto block_bytes = [](const auto& m) {
        return m.at("chainkit_message_bytes_received_total{type=\"block\"}") +
               m.at("chainkit_message_bytes_received_total{type=\"cmpctblock\"}");
    };
    CHECK(block_bytes(after) > block_bytes(before));
    CHECK(after.at("chainkit_message_bytes_received_total{type=\"sendcmpct\"}") > 0);
    CHECK(after.at("chainkit_mempool_transactions") == 0);
}
