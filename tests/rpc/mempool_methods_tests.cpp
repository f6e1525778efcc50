// getrawmempool, getmempoolinfo and sendrawtransaction through real HTTP.
#include "chainkit/chain/block.hpp"
#include "chainkit/chain/bytes.hpp"

#include "chain_rpc_fixture.hpp"

using namespace chainkit;
using rpc::Json;

namespace {

// A payment of `value` from the miner's genesis coinbase to `to`, change back.
chain::Transaction pay_from_genesis(const test::TestChain& tc, const chain::KeyHash& to, chain::Amount value,
                                    chain::Amount fee = 1'000) {
    const auto& cb = tc.genesis.txs[0];
    const chain::OwnedCoin coin{chain::OutPoint{cb.txid(), 0}, chain::Coin{cb.outputs[0], 0, true}};
    return test::make_spend(
        {coin}, tc.miner,
        {chain::TxOut{value, to}, chain::TxOut{cb.outputs[0].value - value - fee, tc.miner.key_hash}});
}

std::string hex_of(const chain::Transaction& tx) {
    return chain::to_hex(chain::encode(tx));
}

}  // namespace

TEST_CASE_METHOD(test::ChainRpcFixture, "a sent transaction enters the mempool and the methods show it",
                 "[rpc][mempool]") {
    CHECK(call("getrawmempool") == Json::array());
    CHECK(call("getmempoolinfo").at("size") == 0);
    const auto bob = test::TestKey::from_seed(2);
    const auto tx = pay_from_genesis(tc, bob.key_hash, chain::COIN);
    CHECK(call("sendrawtransaction", Json::array({hex_of(tx)})) == tx.txid().hex());

    CHECK(call("getrawmempool") == Json::array({tx.txid().hex()}));
    const auto verbose = call("getrawmempool", Json::array({true}));
    CHECK(verbose.at(tx.txid().hex()).at("fee") == 1'000);
    CHECK(verbose.at(tx.txid().hex()).at("size") == tx.serialized_size());
    const auto info = call("getmempoolinfo");
    CHECK(info.at("size") == 1);
    CHECK(info.at("bytes") == tx.serialized_size());
    CHECK(info.at("maxmempool") == pool.max_bytes());

    // Mined: the pool empties.
    mine({tx});
    CHECK(call("getrawmempool") == Json::array());
}

TEST_CASE_METHOD(test::ChainRpcFixture, "refused transactions are errors naming the reason", "[rpc][mempool]") {
    const auto bob = test::TestKey::from_seed(2);
    const auto tx = pay_from_genesis(tc, bob.key_hash, chain::COIN);
    REQUIRE(call("sendrawtransaction", Json::array({hex_of(tx)})) == tx.txid().hex());
    CHECK(error("sendrawtransaction", Json::array({hex_of(tx)})) == -27);
    // The same coin spent again, to someone else.
    const auto carol = test::TestKey::from_seed(3);
    CHECK(error("sendrawtransaction", Json::array({hex_of(pay_from_genesis(tc, carol.key_hash, chain::COIN))})) == -26);
    CHECK(last_error.starts_with("mempool-conflict: "));
    // A bad signature.
    auto forged = pay_from_genesis(tc, carol.key_hash, 2 * chain::COIN);
    forged.inputs[0].signature[0] ^= 1;
    CHECK(error("sendrawtransaction", Json::array({hex_of(forged)})) != 0);
    // Not hex, not a transaction, not a string.
    CHECK(error("sendrawtransaction", Json::array({"zz"})) == -32602);
    CHECK(error("sendrawtransaction", Json::array({"00ff"})) == -22);
    CHECK(last_error.starts_with("TX decode failed: "));
    CHECK(error("sendrawtransaction", Json::array({12})) == -32602);
    CHECK(call("getrawmempool") == Json::array({tx.txid().hex()}));
}
