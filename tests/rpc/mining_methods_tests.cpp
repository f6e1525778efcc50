// getmininginfo and generatetoaddress through real HTTP.
#include "chainkit/wallet/address.hpp"

#include "chain_rpc_fixture.hpp"

using namespace chainkit;
using rpc::Json;

TEST_CASE_METHOD(test::ChainRpcFixture, "generatetoaddress mines blocks on the tip from the mempool", "[rpc][mining]") {
    const auto bob = test::TestKey::from_seed(2);
    const auto address = wallet::encode_address(bob.key_hash, tc.params);
    const auto before = tc.state.height();
    const auto hashes = call("generatetoaddress", Json::array({3, address}));
    REQUIRE(hashes.size() == 3);
    CHECK(tc.state.height() == before + 3);
    CHECK(hashes[2] == tc.state.tip().hash.hex());
    CHECK(call("getblockhash", Json::array({before + 1})) == hashes[0]);
    // Each coinbase pays the address.
    const auto balance = call("getbalance", Json::array({address}));
    chain::Amount subsidies = 0;
    for (auto h = before + 1; h <= before + 3; ++h) subsidies += chain::block_subsidy(h, tc.params);
    CHECK(balance.at("confirmed") == subsidies);
}

TEST_CASE_METHOD(test::ChainRpcFixture, "generatetoaddress refuses wrong parameters", "[rpc][mining]") {
    const auto address = wallet::encode_address(test::TestKey::from_seed(2).key_hash, tc.params);
    CHECK(error("generatetoaddress") == -32602);
    CHECK(error("generatetoaddress", Json::array({0, address})) == -32602);
    CHECK(error("generatetoaddress", Json::array({1001, address})) == -32602);
    CHECK(error("generatetoaddress", Json::array({-1, address})) == -32602);
    CHECK(error("generatetoaddress", Json::array({"1", address})) == -32602);
    CHECK(error("generatetoaddress", Json::array({1})) == -32602);
    CHECK(error("generatetoaddress", Json::array({1, "not-an-address"})) == -5);
    CHECK(error("generatetoaddress", Json::array({1, address, 2})) == -32602);
    CHECK(tc.state.height() == 5);  // nothing mined
}

TEST_CASE_METHOD(test::ChainRpcFixture, "getmininginfo reports the chain and this node's miner", "[rpc][mining]") {
    auto info = call("getmininginfo");
    CHECK(info.at("chain") == "regtest");
    CHECK(info.at("blocks") == tc.state.height());
    CHECK(info.at("difficulty") == 1.0);
    // Five blocks one target spacing apart: about one block's expected hashes per spacing.
    CHECK(info.at("networkhashps").get<double>() > 0);
    CHECK(info.at("mining") == false);
    CHECK(info.at("hashespersec") == 0.0);
    miner_status = rpc::MinerStatus{1.5e6, 4, 7};
    info = call("getmininginfo");
    CHECK(info.at("mining") == true);
    CHECK(info.at("hashespersec") == 1.5e6);
    CHECK(info.at("threads") == 4);
    CHECK(info.at("blocksfound") == 7);
    CHECK(error("getmininginfo", Json::array({1})) == -32602);
}

TEST_CASE("generatetoaddress is refused off regtest", "[rpc][mining]") {
    test::ChainRpcFixture main_net(0, std::chrono::seconds(20), chain::Network::main);
    const auto address = wallet::encode_address(test::TestKey::from_seed(2).key_hash, main_net.tc.params);
    CHECK(main_net.error("generatetoaddress", Json::array({1, address})) == -1);
    CHECK(main_net.last_error == "generatetoaddress works on regtest only");
    CHECK(main_net.tc.state.height() == 0);
    CHECK(main_net.call("getmininginfo").at("chain") == "main");
}
