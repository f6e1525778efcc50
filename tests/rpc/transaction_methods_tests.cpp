// gettransaction and verifychain through real HTTP.
#include "chainkit/chain/block.hpp"
#include "chainkit/chain/bytes.hpp"

#include "chain_rpc_fixture.hpp"

using namespace chainkit;
using rpc::Json;

namespace {

chain::Transaction pay_from_genesis(const test::TestChain& tc, const chain::KeyHash& to, chain::Amount value) {
    const auto& cb = tc.genesis.txs[0];
    const chain::OwnedCoin coin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 0, true}};
    return test::make_spend(
        {coin}, tc.miner,
        {chain::TxOut{value, to}, chain::TxOut{cb.outputs[0].value - value - 1'000, tc.miner.key_hash}});
}

}  // namespace

TEST_CASE_METHOD(test::ChainRpcFixture, "gettransaction finds a transaction in the mempool, then in its block",
                 "[rpc][transaction]") {
    const auto bob = test::TestKey::from_seed(2);
    const auto tx = pay_from_genesis(tc, bob.key_hash, chain::COIN);
    const auto txid = tx.txid().hex();
    CHECK(error("gettransaction", Json::array({txid})) == -5);
    REQUIRE(call("sendrawtransaction", Json::array({chain::to_hex(chain::encode(tx))})) == txid);

    auto pooled = call("gettransaction", Json::array({txid}));
    CHECK(pooled.at("in_mempool") == true);
    CHECK(pooled.at("confirmations") == 0);
    CHECK(pooled.at("fee") == 1'000);
    CHECK(pooled.at("size") == tx.serialized_size());
    CHECK(pooled.at("peers") == 0);
    CHECK(pooled.at("tx").at("txid") == txid);
    CHECK(!pooled.contains("blockhash"));
    peers_with_tx = 2;  // as if two peers had fetched it
    CHECK(call("gettransaction", Json::array({txid})).at("peers") == 2);

    const auto block = mine({tx});
    const auto height = tc.state.height();
    mine();
    mine();
    const auto confirmed = call("gettransaction", Json::array({txid}));
    CHECK(confirmed.at("in_mempool") == false);
    CHECK(confirmed.at("blockhash") == block.hash().hex());
    CHECK(confirmed.at("height") == height);
    CHECK(confirmed.at("confirmations") == 3);
    CHECK(!confirmed.contains("peers"));
    // Named by its block, by name too.
    CHECK(call("gettransaction", Json{{"txid", txid}, {"blockhash", block.hash().hex()}}).at("height") == height);
    // A coinbase is a confirmed transaction too.
    const auto cb = block.txs[0].txid().hex();
    CHECK(call("gettransaction", Json::array({cb})).at("blockhash") == block.hash().hex());
}

TEST_CASE_METHOD(test::ChainRpcFixture, "gettransaction refuses wrong parameters", "[rpc][transaction]") {
    CHECK(error("gettransaction") == -32602);
    CHECK(error("gettransaction", Json::array({42})) == -32602);
    CHECK(error("gettransaction", Json::array({"abc"})) == -32602);
    CHECK(last_error.find("64 hex digits") != std::string::npos);
    CHECK(error("gettransaction", Json::array({std::string(64, 'a'), "zz"})) == -32602);
    CHECK(error("gettransaction", Json::array({std::string(64, 'a'), std::string(64, 'b')})) == -5);
    CHECK(last_error == "Block not found");
    // The genesis block holds no such transaction.
    CHECK(error("gettransaction", Json::array({std::string(64, 'a'), tc.genesis.hash().hex()})) == -5);
    CHECK(error("gettransaction", Json::array({std::string(64, 'a'), nullptr, 3})) == -32602);
}

TEST_CASE_METHOD(test::ChainRpcFixture, "verifychain checks the UTXO set on the chain thread", "[rpc][transaction]") {
    const auto r = call("verifychain");
    CHECK(r.at("ok") == true);
    CHECK(r.at("height") == tc.state.height());
    // Genesis and five mined coinbases, each one output.
    CHECK(r.at("coins_checked") == tc.state.height() + 1);
    CHECK(r.at("first_difference") == "");
    CHECK(error("verifychain", Json::array({1})) == -32602);
}
