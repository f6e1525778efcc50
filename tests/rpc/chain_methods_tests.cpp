// getblockchaininfo, getblockcount, getblockhash, getblockheader and
// getblock against a regtest chain, through real HTTP.
#include "chainkit/chain/block.hpp"
#include "chainkit/chain/bytes.hpp"
#include "chainkit/wallet/address.hpp"

#include "chain_rpc_fixture.hpp"

#include <asio/io_context.hpp>

#include <mutex>
#include <vector>

using namespace chainkit;
using rpc::Json;

TEST_CASE_METHOD(test::ChainRpcFixture, "getblockchaininfo and getblockcount describe the tip", "[rpc][chain]") {
    const auto tip = tc.state.tip();
    CHECK(call("getblockcount") == 5);
    const auto info = call("getblockchaininfo");
    CHECK(info.at("chain") == "regtest");
    CHECK(info.at("blocks") == 5);
    CHECK(info.at("headers") == 5);
    CHECK(info.at("bestblockhash") == tip.hash.hex());
    CHECK(info.at("genesishash") == tc.genesis.hash().hex());
    CHECK(info.at("chainwork") == tip.work.hex());
    CHECK(info.at("difficulty").get<double>() == Approx(1.0));
    CHECK(info.at("verificationprogress") == 1.0);
    CHECK(info.at("initialblockdownload") == false);
    mine();
    CHECK(call("getblockcount") == 6);
    CHECK(error("getblockcount", Json::array({1})) == -32602);
}

TEST_CASE_METHOD(test::ChainRpcFixture, "getblockhash walks the active chain", "[rpc][chain]") {
    CHECK(call("getblockhash", Json::array({0})) == tc.genesis.hash().hex());
    CHECK(call("getblockhash", Json{{"height", 5}}) == tc.state.tip().hash.hex());
    CHECK(error("getblockhash", Json::array({6})) == -8);
    CHECK(error("getblockhash", Json::array({-1})) == -32602);
    CHECK(error("getblockhash", Json::array({"1"})) == -32602);
    CHECK(error("getblockhash") == -32602);
    CHECK(last_error == "missing parameter (parameter 1: height)");
}

TEST_CASE_METHOD(test::ChainRpcFixture, "getblockheader by hash or height, verbose or hex", "[rpc][chain]") {
    const auto h3 = *tc.state.block_hash_at(3);
    const auto by_hash = call("getblockheader", Json::array({h3.hex()}));
    CHECK(call("getblockheader", Json::array({3})) == by_hash);
    CHECK(by_hash.at("hash") == h3.hex());
    CHECK(by_hash.at("height") == 3);
    CHECK(by_hash.at("confirmations") == 3);
    CHECK(by_hash.at("previousblockhash") == tc.state.block_hash_at(2)->hex());
    CHECK(by_hash.at("nextblockhash") == tc.state.block_hash_at(4)->hex());
    CHECK(by_hash.at("merkleroot") == tc.state.header(h3)->merkle_root.hex());
    const auto hex = call("getblockheader", Json::array({h3.hex(), false})).get<std::string>();
    chain::Bytes bytes;
    REQUIRE(chain::parse_hex(hex, bytes));
    chain::BlockHeader decoded;
    REQUIRE(chain::decode(bytes, decoded));
    CHECK(decoded == *tc.state.header(h3));
    // The genesis has no previous block; the tip no next one.
    CHECK_FALSE(call("getblockheader", Json::array({0})).contains("previousblockhash"));
    CHECK_FALSE(call("getblockheader", Json::array({5})).contains("nextblockhash"));
    CHECK(error("getblockheader", Json::array({std::string(64, 'a')})) == -5);
    CHECK(error("getblockheader", Json::array({99})) == -8);
    CHECK(error("getblockheader", Json::array({"abc"})) == -32602);
    CHECK(error("getblockheader", Json::array({h3.hex(), "yes"})) == -32602);
}

TEST_CASE_METHOD(test::ChainRpcFixture, "getblock as hex and as JSON", "[rpc][chain]") {
    const auto block = *tc.state.read_block(*tc.state.block_hash_at(2));
    const auto hex = call("getblock", Json::array({2, 0})).get<std::string>();
    chain::Bytes bytes;
    REQUIRE(chain::parse_hex(hex, bytes));
    chain::Block decoded;
    REQUIRE(chain::decode(bytes, decoded));
    CHECK(decoded == block);

    const auto j = call("getblock", Json::array({block.hash().hex()}));  // verbosity 1 by default
    CHECK(j.at("hash") == block.hash().hex());
    CHECK(j.at("size") == block.serialized_size());
    CHECK(j.at("ntx") == 1);
    const auto& coinbase = j.at("tx").at(0);
    CHECK(coinbase.at("txid") == block.txs[0].txid().hex());
    CHECK(coinbase.at("coinbase") == true);
    CHECK(coinbase.at("vin").at(0).at("height") == 2);
    const auto& out = coinbase.at("vout").at(0);
    CHECK(out.at("value") == block.txs[0].outputs[0].value);
    CHECK(out.at("keyhash") == tc.miner.key_hash.hex());
    // Addresses read the same as the wallet's.
    CHECK(out.at("address") == wallet::encode_address(tc.miner.key_hash, tc.params));

    CHECK(error("getblock", Json::array({2, 2})) == -32602);
    CHECK(error("getblock", Json::array({std::string(64, '0')})) == -5);
}

TEST_CASE_METHOD(test::ChainRpcFixture, "a block off the active chain has confirmations -1", "[rpc][chain]") {
    const auto side = on_chain([this] {
        auto b = tc.build_on(*tc.state.block_hash_at(3), {}, 0, /*extra=*/7);
        REQUIRE(tc.state.accept_block(b, tc.now()).ok());
        return b;
    });
    const auto j = call("getblockheader", Json::array({side.hash().hex()}));
    CHECK(j.at("height") == 4);
    CHECK(j.at("confirmations") == -1);
    CHECK_FALSE(j.contains("nextblockhash"));
}

TEST_CASE("a chain thread that never answers gives an internal error, not a hang", "[rpc][chain]") {
    test::TestChain tc;
    chain::Mempool pool{tc.params, tc.state.utxo(), tc.state.height()};
    asio::io_context net;
    auto guard = asio::make_work_guard(net);
    std::thread net_thread([&] { net.run(); });
    const auto ask = [&](rpc::ChainRunner runner) {
        auto access = std::make_shared<rpc::ChainAccess>(rpc::ChainAccess{tc.params,
                                                                          tc.state,
                                                                          pool,
                                                                          std::move(runner),
                                                                          net.get_executor(),
                                                                          std::chrono::milliseconds(200),
                                                                          {},
                                                                          {},
                                                                          {}});
        rpc::MethodRegistry methods;
        rpc::register_chain_methods(methods, access);
        CHECK(methods.find("sendrawtransaction") == nullptr);  // no submit hook, no method
        const auto answer = rpc::handle_jsonrpc(methods, R"({"jsonrpc":"2.0","id":1,"method":"getblockcount"})");
        REQUIRE(answer);
        const auto j = Json::parse(*answer);
        CHECK(j.at("error").at("code") == -32603);
        return j.at("error").at("message").get<std::string>();
    };
    {
        std::mutex mutex;
        std::vector<std::function<void()>> stuck;  // held, never run
        CHECK(ask([&](std::function<void()> job) {
                  const std::lock_guard lock(mutex);
                  stuck.push_back(std::move(job));
              }) == "the node did not answer within 200 ms");
        const std::lock_guard lock(mutex);
        stuck.clear();
    }
    CHECK(ask([](std::function<void()>) { /* dropped: the chain thread stopped */ }) ==
          "the node stopped before answering");
    guard.reset();
    net_thread.join();
}
