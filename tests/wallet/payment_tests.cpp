// Payments: coin selection, change, fees, maturity, pending spends, and
// signatures that consensus accepts.
#include "chainkit/chain/validation.hpp"
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/payment.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace chainkit;
using chain::COIN;
using wallet::WalletErrc;

namespace {

const auto REGTEST = chain::params_for(chain::Network::regtest);

wallet::KeyPair key(std::uint8_t n) {
    std::array<std::uint8_t, wallet::SEED_SIZE> seed{};
    seed[0] = n;
    return wallet::KeyPair::from_seed(seed);
}

std::vector<chain::OwnedCoin> coins_of(const wallet::KeyPair& k, std::initializer_list<chain::Amount> values,
                                       bool coinbase = false, std::uint64_t height = 1) {
    std::vector<chain::OwnedCoin> out;
    std::uint8_t n = 0;
    for (auto v : values) {
        chain::OwnedCoin c;
        c.outpoint.txid.bytes()[0] = ++n;
        c.outpoint.index = n;
        c.coin = chain::Coin{chain::TxOut{v, k.key_hash()}, height, coinbase};
        out.push_back(c);
    }
    return out;
}

// Checks the transaction against consensus with `coins` as the UTXO set.
chain::Amount consensus_fee(const chain::Transaction& tx, const std::vector<chain::OwnedCoin>& coins) {
    chain::MemoryUtxoSet utxo;
    for (const auto& c : coins) utxo.add(c.outpoint, c.coin);
    REQUIRE(chain::check_transaction(tx, REGTEST).ok());
    std::vector<chain::SpentOutput> spent;
    chain::Amount fee = -1;
    const auto inputs = chain::check_tx_inputs(tx, utxo, 10, REGTEST, spent, fee);
    INFO(inputs.message);
    REQUIRE(inputs.ok());
    const auto sigs = chain::check_tx_signatures(tx, spent);
    INFO(sigs.message);
    REQUIRE(sigs.ok());
    return fee;
}

}  // namespace

TEST_CASE("largest coins first, recipient paid, change back to the sender", "[payment]") {
    const auto alice = key(1);
    const auto bob = key(2);
    const auto coins = coins_of(alice, {1 * COIN, 5 * COIN, 3 * COIN});

    SECTION("one coin covers it") {
        auto pay = wallet::build_payment({bob.key_hash(), 4 * COIN, std::nullopt, 0}, coins, alice);
        REQUIRE(pay.ok());
        REQUIRE(pay->tx.inputs.size() == 1);
        CHECK(pay->tx.inputs[0].prevout == coins[1].outpoint);  // the 5-coin output
        REQUIRE(pay->tx.outputs.size() == 2);
        CHECK(pay->tx.outputs[0] == chain::TxOut{4 * COIN, bob.key_hash()});
        CHECK(pay->tx.outputs[1] == chain::TxOut{1 * COIN, alice.key_hash()});
        CHECK(pay->change == 1 * COIN);
        CHECK(consensus_fee(pay->tx, coins) == 0);
    }
    SECTION("two coins, exact amount: no change output") {
        auto pay = wallet::build_payment({bob.key_hash(), 8 * COIN, std::nullopt, 0}, coins, alice);
        REQUIRE(pay.ok());
        CHECK(pay->tx.inputs.size() == 2);
        REQUIRE(pay->tx.outputs.size() == 1);
        CHECK(pay->change == 0);
        CHECK(consensus_fee(pay->tx, coins) == 0);
    }
    SECTION("an absolute fee is paid on top of the amount") {
        auto pay = wallet::build_payment({bob.key_hash(), 4 * COIN, COIN / 2, 0}, coins, alice);
        REQUIRE(pay.ok());
        CHECK(pay->fee == COIN / 2);
        CHECK(pay->change == COIN / 2);
        CHECK(consensus_fee(pay->tx, coins) == COIN / 2);
    }
    SECTION("a fee rate pays rate x the signed size") {
        auto pay = wallet::build_payment({bob.key_hash(), 4 * COIN, std::nullopt, 10}, coins, alice);
        REQUIRE(pay.ok());
        CHECK(pay->fee == 10 * static_cast<chain::Amount>(pay->tx.serialized_size()));
        CHECK(consensus_fee(pay->tx, coins) == pay->fee);
    }
}

TEST_CASE("insufficient funds states available and needed amounts", "[payment]") {
    const auto alice = key(1);
    const auto coins = coins_of(alice, {1 * COIN, 2 * COIN});
    auto pay = wallet::build_payment({key(2).key_hash(), 3 * COIN, COIN / 10, 0}, coins, alice);
    REQUIRE_FALSE(pay.ok());
    CHECK(pay.error().code == WalletErrc::insufficient_funds);
    CHECK(pay.error().message.find("available 3,") != std::string::npos);
    CHECK(pay.error().message.find("needed 3.1") != std::string::npos);

    auto none = wallet::build_payment({key(2).key_hash(), 1, std::nullopt, 0}, {}, alice);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("available 0,") != std::string::npos);
}

TEST_CASE("zero and out-of-range amounts are refused", "[payment]") {
    const auto alice = key(1);
    const auto coins = coins_of(alice, {1 * COIN});
    for (chain::Amount bad : {chain::Amount{0}, chain::Amount{-1}, chain::MAX_MONEY + 1}) {
        auto pay = wallet::build_payment({key(2).key_hash(), bad, std::nullopt, 0}, coins, alice);
        REQUIRE_FALSE(pay.ok());
        CHECK(pay.error().code == WalletErrc::invalid_amount);
    }
}

TEST_CASE("spendable coins skip pending spends and immature coinbases", "[payment]") {
    const auto alice = key(1);
    const auto main = chain::params_for(chain::Network::main);  // maturity 100
    auto coins = coins_of(alice, {1 * COIN, 2 * COIN, 3 * COIN}, /*coinbase=*/true, /*height=*/50);
    coins[0].coin.coinbase = false;

    const std::set<chain::OutPoint> pending = {coins[1].outpoint};
    auto young = wallet::spendable_coins(coins, pending, 149, main);
    REQUIRE(young.size() == 1);
    CHECK(young[0].outpoint == coins[0].outpoint);
    auto mature = wallet::spendable_coins(coins, pending, 150, main);  // 50 + 100: mature
    CHECK(mature.size() == 2);
    // Regtest has maturity 0: a fresh coinbase spends at once, as in the original.
    CHECK(wallet::spendable_coins(coins, {}, 50, REGTEST).size() == 3);
}

TEST_CASE("sign_inputs signs every input over its own signature hash", "[payment]") {
    const auto alice = key(1);
    const auto coins = coins_of(alice, {1 * COIN, 1 * COIN, 1 * COIN});
    auto pay = wallet::build_payment({key(2).key_hash(), 3 * COIN, std::nullopt, 0}, coins, alice);
    REQUIRE(pay.ok());
    REQUIRE(pay->tx.inputs.size() == 3);
    CHECK(consensus_fee(pay->tx, coins) == 0);
    auto tampered = pay->tx;
    tampered.outputs[0].value -= 1;  // any change to the tx invalidates every signature
    std::vector<chain::SpentOutput> spent = pay->spent;
    CHECK_FALSE(chain::check_tx_signatures(tampered, spent).ok());
}

TEST_CASE("a payment never needs a transaction larger than max_tx_size", "[payment]") {
    const auto alice = key(1);
    std::vector<chain::OwnedCoin> coins;
    for (std::uint32_t i = 0; i < 40; ++i) {
        chain::OwnedCoin c;
        c.outpoint.txid.bytes()[0] = static_cast<std::uint8_t>(i + 1);
        c.coin = chain::Coin{chain::TxOut{COIN, alice.key_hash()}, 1, false};
        coins.push_back(c);
    }
    wallet::PaymentRequest request{key(2).key_hash(), 30 * COIN, std::nullopt, 0};
    chain::Transaction ten;  // the signed shape of 10 inputs and 2 outputs
    ten.inputs.resize(10);
    ten.outputs.resize(2);
    request.max_tx_size = ten.serialized_size();

    auto refused = wallet::build_payment(request, coins, alice);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == WalletErrc::too_many_inputs);
    CHECK(refused.error().message.find("smaller amount") != std::string::npos);

    request.amount = 8 * COIN;  // fits: at most 10 inputs, within the size
    auto fits = wallet::build_payment(request, coins, alice);
    REQUIRE(fits.ok());
    CHECK(fits->tx.serialized_size() <= request.max_tx_size);
    CHECK(consensus_fee(fits->tx, coins) == 0);

    request.amount = 50 * COIN;  // more than all the coins: still insufficient funds, not too many inputs
    auto poor = wallet::build_payment(request, coins, alice);
    REQUIRE_FALSE(poor.ok());
    CHECK(poor.error().code == WalletErrc::insufficient_funds);
}
