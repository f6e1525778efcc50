// getbalance and listunspent: confirmed coins from the chain state, the
// mempool's unconfirmed changes, and addresses checked as the wallet does.
#include "chainkit/chain/base58.hpp"
#include "chainkit/chain/block.hpp"
#include "chainkit/chain/bytes.hpp"
#include "chainkit/wallet/address.hpp"

#include "chain_rpc_fixture.hpp"

#include <array>

using namespace chainkit;
using rpc::Json;

namespace {

std::string address_of(const test::TestKey& k, const chain::ConsensusParams& p) {
    return wallet::encode_address(k.key_hash, p);
}

}  // namespace

TEST_CASE_METHOD(test::ChainRpcFixture, "confirmed balances and coins from the chain", "[rpc][address]") {
    const auto miner = address_of(tc.miner, tc.params);
    chain::Amount expected = 0;
    for (std::uint64_t h = 0; h <= 5; ++h) expected += chain::block_subsidy(h, tc.params);
    const auto b = call("getbalance", Json::array({miner}));
    CHECK(b.at("address") == miner);
    CHECK(b.at("confirmed") == expected);
    CHECK(b.at("unconfirmed") == 0);
    CHECK(b.at("total") == expected);
    const auto coins = call("listunspent", Json::array({miner}));
    REQUIRE(coins.size() == 6);
    for (const auto& c : coins) {
        CHECK(c.at("coinbase") == true);
        CHECK(c.at("confirmations") == 6 - c.at("height").get<int>());
        CHECK(c.at("spendable") == true);  // regtest: coinbase_maturity 0
    }
    const auto nobody = address_of(test::TestKey::from_seed(99), tc.params);
    CHECK(call("getbalance", Json::array({nobody})).at("total") == 0);
    CHECK(call("listunspent", Json::array({nobody})) == Json::array());
}

TEST_CASE_METHOD(test::ChainRpcFixture, "unconfirmed payments change balances until mined", "[rpc][address]") {
    const auto bob = test::TestKey::from_seed(2);
    const auto& cb = tc.genesis.txs[0];
    const chain::Amount fee = 1'000;
    const auto change = cb.outputs[0].value - chain::COIN - fee;
    const auto tx =
        test::make_spend({chain::OwnedCoin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 0, true}}},
                         tc.miner, {chain::TxOut{chain::COIN, bob.key_hash}, chain::TxOut{change, tc.miner.key_hash}});
    const auto before = call("getbalance", Json::array({address_of(tc.miner, tc.params)}));
    REQUIRE(call("sendrawtransaction", Json::array({chain::to_hex(chain::encode(tx))})) == tx.txid().hex());

    const auto miner = call("getbalance", Json::array({address_of(tc.miner, tc.params)}));
    CHECK(miner.at("confirmed") == before.at("confirmed"));
    CHECK(miner.at("unconfirmed") == change - cb.outputs[0].value);  // the coin spent, the change back
    CHECK(miner.at("total") == before.at("total").get<chain::Amount>() - chain::COIN - fee);
    const auto bob_balance = call("getbalance", Json::array({address_of(bob, tc.params)}));
    CHECK(bob_balance.at("confirmed") == 0);
    CHECK(bob_balance.at("unconfirmed") == chain::COIN);

    const auto bob_coins = call("listunspent", Json::array({address_of(bob, tc.params)}));
    REQUIRE(bob_coins.size() == 1);
    CHECK(bob_coins[0].at("txid") == tx.txid().hex());
    CHECK(bob_coins[0].at("vout") == 0);
    CHECK(bob_coins[0].at("confirmations") == 0);
    // The miner's spent genesis coin is no longer listed; its change is, unconfirmed.
    const auto miner_coins = call("listunspent", Json::array({address_of(tc.miner, tc.params)}));
    CHECK(miner_coins.size() == 6);
    for (const auto& c : miner_coins) CHECK(c.at("txid") != cb.txid().hex());

    mine({tx});
    const auto mined = call("getbalance", Json::array({address_of(bob, tc.params)}));
    CHECK(mined.at("confirmed") == chain::COIN);
    CHECK(mined.at("unconfirmed") == 0);
    CHECK(call("listunspent", Json::array({address_of(bob, tc.params)}))[0].at("confirmations") == 1);
}

TEST_CASE_METHOD(test::ChainRpcFixture, "malformed addresses are refused with their reason", "[rpc][address]") {
    auto good = address_of(tc.miner, tc.params);
    auto typo = good;
    typo[5] = typo[5] == '2' ? '3' : '2';
    CHECK(error("getbalance", Json::array({typo})) == -5);
    CHECK(last_error == "Invalid address: checksum mismatch");
    // An address of another network (main's version byte).
    const auto main_address = wallet::encode_address(tc.miner.key_hash, chain::params_for(chain::Network::main));
    CHECK(error("listunspent", Json::array({main_address})) == -5);
    CHECK(last_error.find("version byte") != std::string::npos);
    CHECK(error("getbalance", Json::array({"0OIl"})) == -5);
    CHECK(error("getbalance", Json::array({std::string(1000, '1')})) == -5);
    CHECK(error("getbalance", Json::array({""})) == -5);
    // Base58Check of a payload of the wrong length.
    const std::array<std::uint8_t, 5> short_payload{0, 1, 2, 3, 4};
    CHECK(error("getbalance", Json::array({chain::base58check_encode(short_payload)})) == -5);
    CHECK(error("getbalance", Json::array({42})) == -32602);
    CHECK(error("getbalance") == -32602);
}
