// Stateless and header-context rules: every rejection reason is reached by a
// test that builds exactly that bad object.
#include "chainkit/chain/merkle.hpp"
#include "chainkit/chain/validation.hpp"

#include "support/signing.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace chainkit::chain;
using chainkit::test::TestKey;

namespace {

const ConsensusParams P = params_for(Network::regtest);

Transaction simple_spend() {
    Transaction tx;
    OutPoint prev;
    prev.txid.bytes()[0] = 1;
    prev.index = 0;
    tx.inputs.push_back(TxIn{prev, {}, {}});
    tx.outputs.push_back(TxOut{COIN, KeyHash{}});
    return tx;
}

Block block_with(std::vector<Transaction> txs) {
    return chainkit::test::block_on(BlockHash{}, 1, 1'700'000'000, KeyHash{}, 10 * COIN, std::move(txs), P);
}

// Re-mines after the test altered the body, so only the intended rule fails.
void remine(Block& b) {
    b.header.merkle_root = block_merkle_root(b);
    chainkit::test::mine_header(b.header, P);
}

// check_block, and check_block_hashed with the block's own wtxids (as a
// node that rebuilt it from its pool passes them): the same verdict.
ValidationResult checked(const Block& b, const ConsensusParams& p) {
    std::vector<WtxId> w;
    for (const auto& tx : b.txs) w.push_back(tx.wtxid());
    auto r = check_block(b, p);
    const auto hashed = check_block_hashed(b, p, w);
    CHECK(hashed.reason == r.reason);
    CHECK(hashed.message == r.message);
    return r;
}

}  // namespace

TEST_CASE("a well-formed block passes the stateless checks", "[validation]") {
    auto b = block_with({simple_spend()});
    CHECK(check_block(b, P).ok());
    CHECK(checked(b, P).ok());
    std::vector<WtxId> out;
    REQUIRE(check_block(b, P, &out).ok());
    REQUIRE(out.size() == 2);
    CHECK(out[1] == b.txs[1].wtxid());
    // A list of another length is not trusted: the block is hashed again.
    CHECK(check_block_hashed(b, P, std::span(out).first(1)).ok());
    b.txs[1].outputs[0].value = 3;  // body changed after the list was made: caught by rehashing
    CHECK(check_block_hashed(b, P, std::span(out).first(1)).reason == RejectReason::body_mutated);
}

TEST_CASE("transaction shape rules", "[validation]") {
    auto tx = simple_spend();
    tx.inputs.clear();
    CHECK(check_transaction(tx, P).reason == RejectReason::tx_no_inputs);

    tx = simple_spend();
    tx.outputs.clear();
    CHECK(check_transaction(tx, P).reason == RejectReason::tx_no_outputs);

    tx = simple_spend();
    tx.outputs[0].value = -1;
    CHECK(check_transaction(tx, P).reason == RejectReason::bad_output_value);
    tx.outputs[0].value = MAX_MONEY + 1;
    CHECK(check_transaction(tx, P).reason == RejectReason::bad_output_value);

    tx = simple_spend();
    tx.outputs = {TxOut{MAX_MONEY, {}}, TxOut{1, {}}};
    CHECK(check_transaction(tx, P).reason == RejectReason::output_sum_overflow);

    tx = simple_spend();
    tx.inputs.push_back(tx.inputs[0]);
    CHECK(check_transaction(tx, P).reason == RejectReason::duplicate_input);

    tx = simple_spend();
    tx.inputs.push_back(TxIn{});  // null outpoint in a two-input tx: not a coinbase
    CHECK(check_transaction(tx, P).reason == RejectReason::null_prevout);

    auto cb = make_coinbase(1, COIN, KeyHash{});
    cb.inputs[0].signature[0] = 1;
    CHECK(check_transaction(cb, P).reason == RejectReason::bad_coinbase_data);

    auto small = P;
    small.max_block_size = 100;
    CHECK(check_transaction(simple_spend(), small).reason == RejectReason::tx_too_large);
}

TEST_CASE("block rules", "[validation]") {
    SECTION("proof of work") {
        auto b = block_with({});
        while (check_proof_of_work(b.hash(), b.header.bits, P.pow_limit)) ++b.header.nonce;
        CHECK(checked(b, P).reason == RejectReason::bad_pow);
    }
    SECTION("size") {
        auto small = P;
        small.max_block_size = 200;
        CHECK(checked(block_with({simple_spend()}), small).reason == RejectReason::block_too_large);
    }
    SECTION("merkle root") {
        auto b = block_with({simple_spend()});
        b.txs[1].outputs[0].value = 2 * COIN;
        chainkit::test::mine_header(b.header, P);
        CHECK(checked(b, P).reason == RejectReason::body_mutated);
        CHECK(may_be_mutated(RejectReason::body_mutated));
    }
    SECTION("merkle mutation (CVE-2012-2459)") {
        auto tx2 = simple_spend();
        tx2.outputs[0].value = 2;
        auto b = block_with({simple_spend(), tx2});  // 3 txs: the last pairs with itself
        b.txs.push_back(b.txs.back());
        chainkit::test::mine_header(b.header, P);  // root unchanged by the duplicate
        CHECK(checked(b, P).reason == RejectReason::body_mutated);
    }
    SECTION("no coinbase") {
        auto b = block_with({simple_spend()});
        b.txs.erase(b.txs.begin());
        remine(b);
        CHECK(checked(b, P).reason == RejectReason::no_coinbase);
        b.txs.clear();
        remine(b);
        CHECK(checked(b, P).reason == RejectReason::no_coinbase);
    }
    SECTION("second coinbase") {
        auto b = block_with({make_coinbase(1, COIN, KeyHash{}, 99)});
        CHECK(checked(b, P).reason == RejectReason::multiple_coinbase);
    }
    SECTION("duplicate txid (not mutation: not in a pairable position)") {
        auto a = simple_spend();
        auto b = simple_spend();
        b.outputs[0].value = 5;
        auto blk = block_with({a, b, a});  // [cb a b a]: no equal siblings
        CHECK(checked(blk, P).reason == RejectReason::duplicate_tx);
        CHECK_FALSE(may_be_mutated(RejectReason::duplicate_tx));
    }
    SECTION("the root commits to signatures: a flipped signature byte is a mutated body") {
        auto b = block_with({simple_spend()});
        const auto txid = b.txs[1].txid();
        b.txs[1].inputs[0].signature[0] ^= 1;
        CHECK(b.txs[1].txid() == txid);  // txids and outpoints still leave signatures out
        const auto r = checked(b, P);
        CHECK(r.reason == RejectReason::body_mutated);
        CHECK(may_be_mutated(r.reason));
    }
    SECTION("failures after the root check are committed by the header") {
        CHECK_FALSE(may_be_mutated(RejectReason::block_too_large));
        CHECK_FALSE(may_be_mutated(RejectReason::no_coinbase));
        CHECK_FALSE(may_be_mutated(RejectReason::bad_coinbase_data));
        CHECK_FALSE(may_be_mutated(RejectReason::bad_signature));
    }
    SECTION("a bad transaction inside a block") {
        auto bad = simple_spend();
        bad.outputs[0].value = -5;
        auto r = checked(block_with({bad}), P);
        CHECK(r.reason == RejectReason::bad_output_value);
        CHECK(r.message.find("transaction 1") != std::string::npos);
    }
}

TEST_CASE("header context: bits, median time past, future drift", "[validation]") {
    BlockHeader h;
    h.bits = P.pow_limit_bits;
    h.time = 1000;
    HeaderContext ctx{5, 999, P.pow_limit_bits, 1000};
    CHECK(check_header_contextual(h, ctx, P).ok());

    ctx.expected_bits = 0x1f00ffff;
    CHECK(check_header_contextual(h, ctx, P).reason == RejectReason::bad_bits);
    ctx.expected_bits = P.pow_limit_bits;

    ctx.median_time_past = 1000;  // equal is not above
    CHECK(check_header_contextual(h, ctx, P).reason == RejectReason::time_too_old);
    ctx.median_time_past = 999;

    h.time = 1000 + P.max_future_drift + 1;
    CHECK(check_header_contextual(h, ctx, P).reason == RejectReason::time_too_new);
    h.time = 1000 + P.max_future_drift;
    CHECK(check_header_contextual(h, ctx, P).ok());
}

TEST_CASE("every reason has a distinct name", "[validation]") {
    std::set<std::string_view> names;
    for (int r = 0; r < REJECT_REASON_COUNT; ++r) {
        const auto n = to_string(static_cast<RejectReason>(r));
        CHECK(n != "unknown");
        CHECK(names.insert(n).second);
    }
    // The loop reached the last enumerator: one past it has no name.
    CHECK(to_string(static_cast<RejectReason>(REJECT_REASON_COUNT)) == "unknown");
    CHECK(names.size() == static_cast<std::size_t>(REJECT_REASON_COUNT));
    CHECK(names.contains("storage-failure"));
}
