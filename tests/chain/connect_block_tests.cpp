// Contextual checks against a UTXO view, connecting and disconnecting.
#include "chainkit/chain/check_queue.hpp"
#include "chainkit/chain/validation.hpp"

#include "support/signing.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::block_on;
using chainkit::test::spend_outpoint;
using chainkit::test::TestKey;

namespace {

const ConsensusParams P = params_for(Network::regtest);

// A UTXO set holding one 10-coin coinbase output of `alice` at height 0.
struct Fixture {
    TestKey alice = TestKey::from_seed(1);
    TestKey bob = TestKey::from_seed(2);
    MemoryUtxoSet set;
    OutPoint funding;
    Block genesis;

    Fixture() {
        genesis = block_on(BlockHash{}, 0, 1'700'000'000, alice.key_hash, 10 * COIN, {}, P);
        funding = OutPoint{genesis.txs[0].txid(), 0};
        UtxoCache cache(set);
        BlockUndo undo;
        REQUIRE(connect_block(genesis, 0, P, cache, undo).ok());
        set.apply(cache.changes());
    }

    ValidationResult connect(const Block& b, std::uint64_t height, SigCheckQueue* q = nullptr) {
        UtxoCache cache(set);
        BlockUndo undo;
        auto r = connect_block(b, height, P, cache, undo, q);
        if (r) set.apply(cache.changes());
        return r;
    }

    Block block(std::vector<Transaction> txs, Amount coinbase_value = 10 * COIN, std::uint64_t height = 1) {
        return block_on(genesis.hash(), height, 1'700'000'100, bob.key_hash, coinbase_value, std::move(txs), P);
    }
};

}  // namespace

TEST_CASE("a valid spend connects and moves the coins", "[connect]") {
    Fixture f;
    auto pay =
        spend_outpoint(f.alice, f.funding, 10 * COIN, {{3 * COIN, f.bob.key_hash}, {7 * COIN, f.alice.key_hash}});
    REQUIRE(f.connect(f.block({pay}), 1).ok());
    CHECK_FALSE(f.set.get_coin(f.funding));
    CHECK(f.set.get_coin(OutPoint{pay.txid(), 0})->out.value == 3 * COIN);
    CHECK(f.set.get_coin(OutPoint{pay.txid(), 1})->out.key_hash == f.alice.key_hash);
}

TEST_CASE("a chain of spends inside one block connects, and disconnect restores the set exactly", "[connect]") {
    Fixture f;
    const auto before = f.set.coins();
    auto a = spend_outpoint(f.alice, f.funding, 10 * COIN, {{10 * COIN, f.bob.key_hash}});
    auto b = spend_outpoint(f.bob, OutPoint{a.txid(), 0}, 10 * COIN, {{9 * COIN, f.alice.key_hash}});
    const auto blk = f.block({a, b}, 11 * COIN);  // 1 coin of fee to the miner
    UtxoCache cache(f.set);
    BlockUndo undo;
    REQUIRE(connect_block(blk, 1, P, cache, undo).ok());
    CHECK(undo.spent.size() == 2);
    f.set.apply(cache.take_changes());
    UtxoCache back(f.set);
    CHECK(disconnect_block(blk, undo, back));
    f.set.apply(back.changes());
    CHECK(f.set.coins() == before);
}

TEST_CASE("a block connected with the caller's txids changes the view exactly as one hashed here", "[connect]") {
    Fixture f;
    auto a = spend_outpoint(f.alice, f.funding, 10 * COIN, {{4 * COIN, f.bob.key_hash}, {6 * COIN, f.alice.key_hash}});
    auto b = spend_outpoint(f.bob, OutPoint{a.txid(), 0}, 4 * COIN, {{3 * COIN, f.alice.key_hash}});
    const auto blk = f.block({a, b}, 11 * COIN);
    std::vector<TxId> txids;
    std::vector<WtxId> wtxids;
    for (const auto& tx : blk.txs) {
        txids.push_back(tx.txid());
        wtxids.push_back(tx.wtxid());
    }
    UtxoCache hashed(f.set), given(f.set);
    BlockUndo hashed_undo, given_undo;
    REQUIRE(connect_block(blk, 1, P, hashed, hashed_undo).ok());
    REQUIRE(connect_block(blk, 1, P, given, given_undo, nullptr, nullptr, wtxids, txids).ok());
    CHECK(given.changes() == hashed.changes());
    CHECK(given_undo == hashed_undo);
    CHECK(given.get_coin(OutPoint{b.txid(), 0})->out.value == 3 * COIN);
    // A list of another length is ignored, never read past its end.
    UtxoCache short_list(f.set);
    BlockUndo short_undo;
    REQUIRE(connect_block(blk, 1, P, short_list, short_undo, nullptr, nullptr, {}, std::span(txids).first(2)).ok());
    CHECK(short_list.changes() == hashed.changes());
}

TEST_CASE("disconnect reports an inconsistent view", "[connect]") {
    Fixture f;
    auto pay = spend_outpoint(f.alice, f.funding, 10 * COIN, {{10 * COIN, f.bob.key_hash}});
    const auto blk = f.block({pay});
    BlockUndo undo;  // wrong: empty undo for a block that spent an input
    UtxoCache cache(f.set);
    CHECK_FALSE(disconnect_block(blk, undo, cache));
}

TEST_CASE("contextual rejection reasons", "[connect]") {
    Fixture f;
    SECTION("missing input") {
        OutPoint nowhere{f.funding.txid, 7};
        CHECK(f.connect(f.block({spend_outpoint(f.alice, nowhere, 10 * COIN, {{COIN, f.bob.key_hash}})}), 1).reason ==
              RejectReason::missing_input);
    }
    SECTION("double spend within a block") {
        auto a = spend_outpoint(f.alice, f.funding, 10 * COIN, {{COIN, f.bob.key_hash}});
        auto b = spend_outpoint(f.alice, f.funding, 10 * COIN, {{2 * COIN, f.bob.key_hash}});
        CHECK(f.connect(f.block({a, b}), 1).reason == RejectReason::double_spend_in_block);
    }
    SECTION("double spend across blocks") {
        auto a = spend_outpoint(f.alice, f.funding, 10 * COIN, {{COIN, f.bob.key_hash}});
        REQUIRE(f.connect(f.block({a}, 19 * COIN), 1).ok());
        auto b = spend_outpoint(f.alice, f.funding, 10 * COIN, {{2 * COIN, f.bob.key_hash}});
        CHECK(f.connect(f.block({b}, 10 * COIN, 2), 2).reason == RejectReason::missing_input);
    }
    SECTION("public key not matching the spent output") {
        auto tx = spend_outpoint(f.bob, f.funding, 10 * COIN, {{COIN, f.bob.key_hash}});
        CHECK(f.connect(f.block({tx}), 1).reason == RejectReason::pubkey_mismatch);
    }
    SECTION("bad signature") {
        auto tx = spend_outpoint(f.alice, f.funding, 10 * COIN, {{COIN, f.bob.key_hash}});
        tx.inputs[0].signature[10] ^= 0x40;
        CHECK(f.connect(f.block({tx}), 1).reason == RejectReason::bad_signature);
    }
    SECTION("signature made over a lie about the spent value") {
        auto tx = spend_outpoint(f.alice, f.funding, 5 * COIN, {{COIN, f.bob.key_hash}});
        CHECK(f.connect(f.block({tx}), 1).reason == RejectReason::bad_signature);
    }
    SECTION("outputs above inputs") {
        auto tx = spend_outpoint(f.alice, f.funding, 10 * COIN, {{11 * COIN, f.bob.key_hash}});
        CHECK(f.connect(f.block({tx}), 1).reason == RejectReason::inputs_below_outputs);
    }
    SECTION("coinbase above subsidy plus fees") {
        auto tx = spend_outpoint(f.alice, f.funding, 10 * COIN, {{9 * COIN, f.bob.key_hash}});
        CHECK(f.connect(f.block({tx}, 11 * COIN), 1).ok());
        Fixture g;
        auto tx2 = spend_outpoint(g.alice, g.funding, 10 * COIN, {{9 * COIN, g.bob.key_hash}});
        CHECK(g.connect(g.block({tx2}, 11 * COIN + 1), 1).reason == RejectReason::coinbase_too_large);
    }
    SECTION("coinbase height not the block's height") {
        CHECK(f.connect(f.block({}, 10 * COIN, 1), 2).reason == RejectReason::bad_coinbase_height);
    }
}

TEST_CASE("coinbase maturity on main", "[connect]") {
    const auto main = params_for(Network::main);
    const auto alice = TestKey::from_seed(1);
    MemoryUtxoSet set;
    const OutPoint cb{TxId{}, 0};
    set.add(cb, Coin{TxOut{10 * COIN, alice.key_hash}, 5, true});
    auto tx = spend_outpoint(alice, cb, 10 * COIN, {{COIN, alice.key_hash}});
    std::vector<SpentOutput> spent;
    Amount fee = 0;
    CHECK(check_tx_inputs(tx, set, 5 + main.coinbase_maturity - 1, main, spent, fee).reason ==
          RejectReason::immature_coinbase_spend);
    CHECK(check_tx_inputs(tx, set, 5 + main.coinbase_maturity, main, spent, fee).ok());
    CHECK(fee == 9 * COIN);
}

TEST_CASE("signature checks give the same answer on 1 and N threads", "[connect]") {
    Fixture f;
    // Fan the funding out to 40 outputs, then spend them all in one block
    // with one bad signature in the middle.
    std::vector<TxOut> outs(40, TxOut{COIN / 4, f.alice.key_hash});
    auto fan = spend_outpoint(f.alice, f.funding, 10 * COIN, outs);
    REQUIRE(f.connect(f.block({fan}), 1).ok());
    std::vector<Transaction> spends;
    for (std::uint32_t i = 0; i < 40; ++i)
        spends.push_back(spend_outpoint(f.alice, OutPoint{fan.txid(), i}, COIN / 4, {{COIN / 4, f.bob.key_hash}}));
    spends[23].inputs[0].signature[0] ^= 1;
    const auto blk = block_on(f.genesis.hash(), 2, 1'700'000'200, f.bob.key_hash, 10 * COIN, spends, P);
    SigCheckQueue one(1), four(4);
    UtxoCache c1(f.set), c4(f.set), c0(f.set);
    BlockUndo u;
    const auto r1 = connect_block(blk, 2, P, c1, u, &one);
    const auto r4 = connect_block(blk, 2, P, c4, u, &four);
    const auto r0 = connect_block(blk, 2, P, c0, u, nullptr);
    CHECK(r1.reason == RejectReason::bad_signature);
    CHECK(r1.message == r4.message);
    CHECK(r1.message == r0.message);
    CHECK(r1.message.find("transaction 24 ") != std::string::npos);
}

TEST_CASE("check_tx_signatures with a given txid signs over that txid", "[connect]") {
    Fixture f;
    const auto tx = spend_outpoint(f.alice, f.funding, 10 * COIN, {{COIN, f.bob.key_hash}});
    const std::vector<SpentOutput> spent{{10 * COIN, f.alice.key_hash}};
    CHECK(check_tx_signatures(tx, spent).ok());
    CHECK(check_tx_signatures(tx, tx.txid(), spent).ok());
    // The txid given is the one used (not recomputed): another one fails.
    CHECK(check_tx_signatures(tx, f.funding.txid, spent).reason == RejectReason::bad_signature);
}

TEST_CASE("disconnect with given txids matches disconnect without", "[connect]") {
    Fixture f;
    auto a = spend_outpoint(f.alice, f.funding, 10 * COIN, {{10 * COIN, f.bob.key_hash}});
    auto b = spend_outpoint(f.bob, OutPoint{a.txid(), 0}, 10 * COIN, {{9 * COIN, f.alice.key_hash}});
    const auto blk = f.block({a, b}, 11 * COIN);
    UtxoCache cache(f.set);
    BlockUndo undo;
    REQUIRE(connect_block(blk, 1, P, cache, undo).ok());
    f.set.apply(cache.take_changes());
    std::vector<TxId> ids;
    for (const auto& tx : blk.txs) ids.push_back(tx.txid());
    UtxoCache plain(f.set), given(f.set), short_ids(f.set);
    CHECK(disconnect_block(blk, undo, plain));
    CHECK(disconnect_block(blk, ids, undo, given));
    CHECK(given.changes() == plain.changes());
    CHECK_FALSE(disconnect_block(blk, std::span(ids).first(2), undo, short_ids));
}

TEST_CASE("check_genesis: the block a chain can start from", "[connect]") {
    const auto alice = TestKey::from_seed(1);
    const auto genesis = [&](BlockHash prev, Amount value) {
        return block_on(prev, 0, 1'700'000'000, alice.key_hash, value, {}, P);
    };
    CHECK(check_genesis(genesis(BlockHash{}, 10 * COIN), P).ok());
    BlockHash some;
    some.bytes()[0] = 1;
    CHECK(check_genesis(genesis(some, 10 * COIN), P).reason == RejectReason::unknown_parent);
    CHECK(check_genesis(genesis(BlockHash{}, 10 * COIN + 1), P).reason == RejectReason::coinbase_too_large);
    auto harder = genesis(BlockHash{}, 10 * COIN);
    harder.header.bits = P.pow_limit_bits - 1;
    chainkit::test::mine_header(harder.header, P);
    CHECK(check_genesis(harder, P).reason == RejectReason::bad_bits);
    auto unrooted = genesis(BlockHash{}, 10 * COIN);
    unrooted.txs[0].outputs[0].value = COIN;  // merkle root no longer matches
    CHECK(check_genesis(unrooted, P).reason == RejectReason::body_mutated);
}
