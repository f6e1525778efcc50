// A relay must not be able to make a valid block invalid (issue 10 section
// 1): for each alteration a relay can make to a block body without redoing
// its proof of work, the altered body arrives first and the honest one
// after, directly, after its header, and through the orphan pool; the honest
// block and its descendant end up connected.
#include "chainkit/chain/chain_state.hpp"

#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

using namespace chainkit::chain;
using chainkit::test::TestChain;

namespace {

OwnedCoin coinbase_coin(const Block& b, std::uint64_t height) {
    return OwnedCoin{OutPoint{b.txs[0].txid(), 0}, Coin{b.txs[0].outputs[0], height, true}};
}

// genesis <- b1 <- b2 (coinbase and two signed spends) <- b3.
struct Blocks {
    Block b1, b2, b3;
    explicit Blocks(TestChain& tc) {
        using chainkit::test::build_child;
        using chainkit::test::make_spend;
        b1 = tc.build();
        const auto g = coinbase_coin(tc.genesis, 0);
        const auto c1 = coinbase_coin(b1, 1);
        auto s1 = make_spend({g}, tc.miner, {TxOut{g.coin.out.value - 100, tc.miner.key_hash}});
        auto s2 = make_spend({c1}, tc.miner, {TxOut{c1.coin.out.value - 100, tc.miner.key_hash}});
        b2 = build_child(b1, tc.params, tc.miner.key_hash, {s1, s2}, 200);
        b3 = build_child(b2, tc.params, tc.miner.key_hash);
    }
};

// One alteration a relay can make: same header, different body.
struct Alteration {
    std::string name;
    std::function<void(Block&, TestChain&)> apply;
};

std::vector<Alteration> alterations() {
    return {
        {"a signature byte", [](Block& b, TestChain&) { b.txs[1].inputs[0].signature[10] ^= 1; }},
        {"a public key byte", [](Block& b, TestChain&) { b.txs[1].inputs[0].pubkey[3] ^= 1; }},
        {"the coinbase data", [](Block& b, TestChain&) { b.txs[0].inputs[0].pubkey[20] ^= 1; }},
        {"the coinbase signature field", [](Block& b, TestChain&) { b.txs[0].inputs[0].signature[0] = 1; }},
        {"transaction order", [](Block& b, TestChain&) { std::swap(b.txs[1], b.txs[2]); }},
        {"transaction order, coinbase last", [](Block& b, TestChain&) { std::reverse(b.txs.begin(), b.txs.end()); }},
        {"a duplicated transaction (same root, CVE-2012-2459)",
         [](Block& b, TestChain&) { b.txs.push_back(b.txs.back()); }},
        {"a duplicated transaction (other position)",
         [](Block& b, TestChain&) { b.txs.insert(b.txs.begin() + 1, b.txs[1]); }},
        {"an appended transaction",
         [](Block& b, TestChain& tc) {
             // Valid on its own: spends b2's own first output.
             const auto& s = b.txs[1];
             const OwnedCoin c{OutPoint{s.txid(), 0}, Coin{s.outputs[0], 2, false}};
             b.txs.push_back(chainkit::test::make_spend({c}, tc.miner, {TxOut{c.coin.out.value, tc.miner.key_hash}}));
         }},
        {"a removed coinbase", [](Block& b, TestChain&) { b.txs.erase(b.txs.begin()); }},
    };
}

enum class Route { direct, after_header, orphan_first, orphan_then_parent };

const char* name_of(Route r) {
    switch (r) {
        case Route::direct:
            return "direct";
        case Route::after_header:
            return "after its header";
        case Route::orphan_first:
            return "orphan pool: altered and honest before the parent";
        case Route::orphan_then_parent:
            return "orphan pool: altered, then the parent, then honest";
    }
    return "?";
}

}  // namespace

TEST_CASE("a relay's altered body never gets the honest block refused", "[chain_state][attack]") {
    for (const auto& alt : alterations()) {
        for (auto route : {Route::direct, Route::after_header, Route::orphan_first, Route::orphan_then_parent}) {
            INFO(alt.name << " / " << name_of(route));
            TestChain tc;
            const Blocks bl(tc);
            Block altered = bl.b2;
            alt.apply(altered, tc);
            REQUIRE(altered.hash() == bl.b2.hash());  // the header is untouched
            REQUIRE(altered.txs != bl.b2.txs);
            const auto now = tc.now();
            const PeerTag relay = 66, honest = 1;

            if (route == Route::direct || route == Route::after_header) REQUIRE(tc.state.accept_block(bl.b1, now).ok());
            if (route == Route::after_header) REQUIRE(tc.state.accept_header(bl.b2.header, now).ok());
            const auto bad = tc.state.accept_block(altered, now, relay);
            CHECK_FALSE(bad.ok());
            if (route == Route::orphan_then_parent) (void)tc.state.accept_block(bl.b1, now);
            CHECK(tc.state.status(bl.b2.hash()) != BlockStatus::failed);

            const auto good = tc.state.accept_block(bl.b2, now, honest);
            INFO("honest block: " << to_string(good.validation.reason) << " " << good.validation.message);
            CHECK((good.ok() || good.orphan));
            (void)tc.state.accept_block(bl.b3, now, honest);
            if (route == Route::orphan_first) {
                const auto r = tc.state.accept_block(bl.b1, now);
                CHECK(r.ok());
                for (const auto& o : r.orphans) {
                    INFO("orphan from " << o.from << ": " << o.validation.message);
                    CHECK(o.validation.ok());
                }
            }
            CHECK(tc.state.tip().hash == bl.b3.hash());
            CHECK(tc.state.on_active_chain(bl.b2.hash()));
        }
    }
}
