// Mempool admission under floods: a peer's transaction that the pool will
// refuse anyway must cost no more store reads than it has inputs, however
// many outputs it carries (issue 10, section 6: cheap checks first).
#include "chainkit/chain/mempool.hpp"

#include "support/counting_utxo_view.hpp"
#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::CountingUtxoView;
using chainkit::test::FEE;
using chainkit::test::make_spend;
using chainkit::test::PoolFixture;

namespace {

constexpr std::size_t MANY_OUTPUTS = 10'000;

// `total` split over MANY_OUTPUTS outputs to `to` (the first takes the rest).
std::vector<TxOut> many_outputs(Amount total, const KeyHash& to) {
    std::vector<TxOut> outs(MANY_OUTPUTS, TxOut{1, to});
    outs[0].value = total - static_cast<Amount>(MANY_OUTPUTS - 1);
    return outs;
}

}  // namespace

TEST_CASE("a refused transaction costs store reads per input, not per output", "[mempool][flood]") {
    PoolFixture f;
    CountingUtxoView counted(f.chain.utxo);
    Mempool pool(f.params, counted, 0);
    const auto coin = f.chain.fund(f.alice, 10 * COIN);

    SECTION("unknown input") {
        auto ghost = coin;
        ghost.outpoint.index = 7;
        const auto tx = make_spend({ghost}, f.alice, many_outputs(10 * COIN - FEE, f.bob.key_hash));
        REQUIRE(tx.outputs.size() == MANY_OUTPUTS);
        CHECK(pool.accept(tx).validation.reason == RejectReason::unknown_input);
        CHECK(counted.reads() <= tx.inputs.size());
    }
    SECTION("fee below policy") {
        // min_fee_rate 1 needs ~280,000 units for this size; it pays 10.
        const auto tx = make_spend({coin}, f.alice, many_outputs(10 * COIN - 10, f.bob.key_hash));
        CHECK(pool.accept(tx).validation.reason == RejectReason::fee_too_low);
        CHECK(counted.reads() <= tx.inputs.size());
    }
    SECTION("a valid one reads each input once") {
        const auto tx = make_spend({coin}, f.alice, many_outputs(10 * COIN - 300'000, f.bob.key_hash));
        CHECK(pool.accept(tx).ok());
        CHECK(counted.reads() <= tx.inputs.size());
    }
    CHECK(pool.size() <= 1);
}

TEST_CASE("the recently confirmed txids are bounded, oldest forgotten first", "[mempool][flood]") {
    PoolFixture f;
    MempoolOptions options;
    options.recent_confirmed = 2;
    Mempool pool(f.params, f.chain.utxo, 0, options);
    std::vector<Transaction> confirmed;
    for (int i = 0; i < 3; ++i) {
        confirmed.push_back(f.spend(FEE));
        f.chain.connect(f.chain.build({confirmed.back()}, f.alice.key_hash, FEE), pool);
    }
    // The oldest is past the bound: its spent input is all the pool can see.
    CHECK(pool.accept(confirmed[0]).validation.reason == RejectReason::unknown_input);
    CHECK(pool.accept(confirmed[1]).validation.reason == RejectReason::already_have);
    CHECK(pool.accept(confirmed[2]).validation.reason == RejectReason::already_have);
}
