// The routes beside POST /: the explorer page's files, the cookie-less
// read-only endpoint POST /api, and /metrics when no source is set; and
// getaddresshistory, the page's bounded history method. Real loopback HTTP.
#include "chainkit/rpc/explorer.hpp"

#include "chain_rpc_fixture.hpp"

#include <filesystem>
#include <httplib.h>
#include <string>

using namespace chainkit;
using rpc::Json;

namespace {

httplib::Client http_client(const test::ChainRpcFixture& f) {
    httplib::Client c("127.0.0.1", f.server->port());
    c.set_read_timeout(10, 0);
    return c;
}

Json api(httplib::Client& c, const Json& body) {
    auto res = c.Post("/api", body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return Json::parse(res->body);
}

Json call(std::string_view method, const Json& params = Json::array()) {
    return Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
}

}  // namespace

TEST_CASE("the page's files are served with a strict content security policy", "[rpc][explorer]") {
    test::ChainRpcFixture f(1);
    REQUIRE(std::filesystem::exists(rpc::default_www_dir() / "index.html"));
    auto c = http_client(f);
    for (const auto& [path, type] : {std::pair{"/", "text/html"}, std::pair{"/explorer.js", "text/javascript"},
                                     std::pair{"/style.css", "text/css"}}) {
        auto res = c.Get(path);
        REQUIRE(res);
        INFO(path);
        CHECK(res->status == 200);
        CHECK(res->get_header_value("Content-Type").starts_with(type));
        CHECK(res->get_header_value("Content-Security-Policy") == "default-src 'self'");
        CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
        CHECK_FALSE(res->body.empty());
    }
    CHECK(c.Get("/")->body.find("explorer.js") != std::string::npos);
    // Only the listed files: nothing else under www/ or beside it.
    for (const char* path : {"/../CMakeLists.txt", "/www/index.html", "/%2e%2e/README.md", "/package.json"}) {
        auto res = c.Get(path);
        REQUIRE(res);
        INFO(path);
        CHECK(res->status == 404);
    }
}

TEST_CASE("the cookie-less routes refuse a Host that is a name (DNS rebinding)", "[rpc][explorer]") {
    test::ChainRpcFixture f(1);
    auto c = http_client(f);
    const auto body = call("getblockcount").dump();
    for (const char* host : {"evil.example", "evil.example:8080", "127.0.0.1.evil.example", "[::1"}) {
        INFO(host);
        const httplib::Headers h{{"Host", host}};
        CHECK(c.Get("/", h)->status == 403);
        CHECK(c.Get("/metrics", h)->status == 403);
        CHECK(c.Post("/api", h, body, "application/json")->status == 403);
    }
    for (const char* host : {"127.0.0.1", "127.0.0.1:8332", "localhost:8332", "[::1]:8332", "10.1.2.3"}) {
        INFO(host);
        const httplib::Headers h{{"Host", host}};
        CHECK(c.Get("/", h)->status == 200);
        CHECK(c.Post("/api", h, body, "application/json")->status == 200);
    }
}

TEST_CASE("without a www directory the page is 404 and the RPC still answers", "[rpc][explorer]") {
    test::ChainRpcFixture f(1);
    test::ScratchDir dir("rpc-nowww");
    rpc::ServerConfig config;
    config.cookie_dir = dir.path();
    config.www_dir.clear();
    rpc::RpcServer server(config, f.methods);
    REQUIRE(server.start().ok());
    httplib::Client c("127.0.0.1", server.port());
    CHECK(c.Get("/")->status == 404);
    CHECK(c.Get("/metrics")->status == 404);  // no metrics source configured
    CHECK(Json::parse(c.Post("/api", call("getblockcount").dump(), "application/json")->body).at("result") == 1);
}

TEST_CASE("POST /api answers read-only methods without the cookie and refuses every write", "[rpc][explorer]") {
    test::ChainRpcFixture f(3);
    auto c = http_client(f);
    // Reads, single and batched, with no credentials at all.
    CHECK(api(c, call("getblockcount")).at("result") == 3);
    const auto answers = api(c, Json::array({call("getblockhash", Json::array({2})), call("getmempoolinfo")}));
    REQUIRE(answers.size() == 2);
    CHECK(answers[0].at("result") == f.call("getblockhash", Json::array({2})));
    CHECK(answers[1].at("result").at("size") == 0);
    // The same methods at POST / still need the cookie.
    CHECK(c.Post("/", call("getblockcount").dump(), "application/json")->status == 401);
    // A write method is registered at POST / but is not reachable here.
    REQUIRE(f.methods.find("sendrawtransaction") != nullptr);
    const auto refused = api(c, call("sendrawtransaction", Json::array({"00"})));
    CHECK(refused.at("error").at("code") == -32601);
    CHECK(api(c, call("stop")).at("error").at("code") == -32601);
    for (const auto name : rpc::READ_ONLY_METHODS) {
        INFO(name);
        CHECK(name != "sendrawtransaction");
        CHECK(name != "submitblock");
        CHECK(name != "setban");
        CHECK(name != "stop");
        CHECK(name != "generatetoaddress");
    }
    // Malformed bodies get JSON-RPC errors, and the body bound holds.
    CHECK(api(c, Json("x")).at("error").at("code") == -32600);
    auto truncated = c.Post("/api", R"({"jsonrpc":"2.0","id":1,"meth)", "application/json");
    CHECK(Json::parse(truncated->body).at("error").at("code") == -32700);
    auto big = c.Post("/api", std::string((1u << 20) + 1, ' '), "application/json");
    REQUIRE(big);
    CHECK(big->status == 413);
    CHECK(api(c, call("getblockcount")).at("result") == 3);  // still answering
}

TEST_CASE("getaddresshistory lists an address's transactions in the last blocks", "[rpc][explorer]") {
    test::ChainRpcFixture f(3);
    const auto miner = f.call("getblock", Json::array({1, 1})).at("tx")[0].at("vout")[0].at("address");
    // Block 4 spends block 1's coinbase to another key, change back to the miner.
    const auto cb = f.on_chain([&] { return f.tc.state.read_block(*f.tc.state.block_hash_at(1))->txs[0]; });
    const auto other = test::TestKey::from_seed(9);
    const auto spend = test::make_spend(
        {chain::OwnedCoin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 1, true}}}, f.tc.miner,
        {chain::TxOut{1'000, other.key_hash}, chain::TxOut{cb.outputs[0].value - 1'000, f.tc.miner.key_hash}});
    f.mine({spend});

    const auto all = f.call("getaddresshistory", Json::array({miner}));
    CHECK(all.at("fromheight") == 0);
    CHECK(all.at("toheight") == 4);
    const auto& txs = all.at("txs");
    REQUIRE(txs.size() == 6);  // five coinbases (genesis included) and the spend
    // Newest first: the spend, then block 4's coinbase (reverse block order).
    CHECK(txs[1].at("height") == 4);
    CHECK(txs[5].at("height") == 0);
    const auto& s = txs[0];
    CHECK(s.at("txid") == spend.txid().hex());
    CHECK(s.at("sent") == cb.outputs[0].value);
    CHECK(s.at("received") == cb.outputs[0].value - 1'000);

    // A window that starts after block 1 cannot price the spend.
    const auto recent = f.call("getaddresshistory", Json::array({miner, 2}));
    CHECK(recent.at("fromheight") == 3);
    REQUIRE(recent.at("txs").size() == 3);
    CHECK(recent.at("txs")[0].at("sent").is_null());

    CHECK(f.error("getaddresshistory", Json::array({miner, 0})) == -32602);
    CHECK(f.error("getaddresshistory", Json::array({miner, 1001})) == -32602);
    CHECK(f.error("getaddresshistory", Json::array({"not-an-address"})) == -5);
}
