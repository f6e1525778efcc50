// Orphan transactions through the mempool: a child that arrives before its
// parent waits in the orphan pool and enters when the parent does (by relay
// or in a block); the accept result names what entered and who sent what
// failed. Written first against the pool without orphans, where the
// child-first chain was lost (issue 10, section 6).
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/peer_action.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::coin_of;
using chainkit::test::FEE;
using chainkit::test::pay;
using chainkit::test::PoolFixture;

namespace {

constexpr PeerTag CAROL = 7;
constexpr PeerTag DAVE = 8;

struct Chain3 {
    Transaction parent, child, grandchild;
};

Chain3 chain_of_three(PoolFixture& f) {
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    Chain3 c;
    c.parent = pay({coin}, f.alice, f.bob.key_hash, FEE);
    c.child = pay({coin_of(c.parent, 0)}, f.bob, f.alice.key_hash, FEE);
    c.grandchild = pay({coin_of(c.child, 0)}, f.alice, f.bob.key_hash, FEE);
    return c;
}

}  // namespace

TEST_CASE("a chain of three arriving child-first ends in the pool", "[mempool][orphan]") {
    PoolFixture f;
    const auto c = chain_of_three(f);
    const auto g = f.pool.accept(c.grandchild, CAROL, 100);
    CHECK(g.validation.reason == RejectReason::unknown_input);
    CHECK(g.orphaned);
    const auto k = f.pool.accept(c.child, DAVE, 101);
    CHECK(k.orphaned);
    CHECK(f.pool.accept(c.child, DAVE, 102).validation.reason == RejectReason::already_orphan);
    CHECK(f.pool.size() == 0);
    CHECK(f.pool.orphans().size() == 2);

    const auto p = f.pool.accept(c.parent, LOCAL_PEER, 103);
    REQUIRE(p.ok());
    CHECK(f.pool.size() == 3);
    CHECK(f.pool.contains(c.child.txid()));
    CHECK(f.pool.contains(c.grandchild.txid()));
    CHECK(f.pool.orphans().size() == 0);
    // Reported in the order they entered, with their senders, for relay.
    REQUIRE(p.orphans.size() == 2);
    CHECK(p.orphans[0].txid == c.child.txid());
    CHECK(p.orphans[0].from == DAVE);
    CHECK(p.orphans[0].validation.ok());
    CHECK(p.orphans[1].txid == c.grandchild.txid());
    CHECK(p.orphans[1].from == CAROL);
    const auto all = f.pool.entries();  // parents before children
    CHECK(all[0]->txid == c.parent.txid());
    CHECK(all[2]->txid == c.grandchild.txid());
}

TEST_CASE("an orphan that fails when tried again is blamed on its sender", "[mempool][orphan]") {
    PoolFixture f;
    const auto c = chain_of_three(f);
    auto forged = c.child;
    forged.inputs[0].signature[3] ^= 1;
    REQUIRE(f.pool.accept(forged, CAROL, 0).orphaned);  // signatures unchecked while orphaned
    const auto p = f.pool.accept(c.parent);
    REQUIRE(p.ok());
    REQUIRE(p.orphans.size() == 1);
    CHECK(p.orphans[0].from == CAROL);
    CHECK(p.orphans[0].validation.reason == RejectReason::bad_signature);
    CHECK(peer_action(p.orphans[0].validation.reason) == PeerAction::reject);
    CHECK_FALSE(f.pool.contains(forged.txid()));
    CHECK(f.pool.orphans().size() == 0);
    // The honest child still gets in afterwards.
    CHECK(f.pool.accept(c.child).ok());
}

TEST_CASE("orphans of an invalid parent are dropped, of a forged signature kept", "[mempool][orphan]") {
    PoolFixture f;
    const auto c = chain_of_three(f);
    REQUIRE(f.pool.accept(c.child, CAROL, 0).orphaned);
    REQUIRE(f.pool.accept(c.grandchild, CAROL, 0).orphaned);

    SECTION("a signature a relay altered: the txid is the honest one's") {
        auto forged = c.parent;
        forged.inputs[0].signature[0] ^= 1;
        CHECK(f.pool.accept(forged).validation.reason == RejectReason::bad_signature);
        CHECK(f.pool.orphans().size() == 2);
        CHECK(f.pool.accept(c.parent).orphans.size() == 2);
        CHECK(f.pool.size() == 3);
    }
    SECTION("a failure the txid commits to: no valid parent can have it") {
        // Same txid as an honest parent is impossible here; build a parent
        // whose outputs exceed its inputs and children spending it.
        const auto coin = f.chain.fund(f.alice, COIN);
        const auto bad_parent = pay({coin}, f.alice, f.bob.key_hash, -1);
        const auto bad_child = pay({coin_of(bad_parent, 0)}, f.bob, f.alice.key_hash, FEE);
        REQUIRE(f.pool.accept(bad_child, DAVE, 0).orphaned);
        CHECK(f.pool.accept(bad_parent).validation.reason == RejectReason::inputs_below_outputs);
        CHECK_FALSE(f.pool.orphans().contains(bad_child.txid()));
        CHECK(f.pool.orphans().size() == 2);  // the others wait on
    }
}

TEST_CASE("a block connecting the parent resolves its orphans at the tip change", "[mempool][orphan]") {
    PoolFixture f;
    const auto c = chain_of_three(f);
    REQUIRE(f.pool.accept(c.child, CAROL, 0).orphaned);
    REQUIRE(f.pool.accept(c.grandchild, DAVE, 0).orphaned);
    f.chain.connect(f.chain.build({c.parent}, f.alice.key_hash, FEE), f.pool);
    CHECK(f.pool.contains(c.child.txid()));
    CHECK(f.pool.contains(c.grandchild.txid()));
    const auto results = f.pool.take_orphan_results();
    REQUIRE(results.size() == 2);
    CHECK(results[0].from == CAROL);
    CHECK(results[1].from == DAVE);
    CHECK(f.pool.take_orphan_results().empty());

    SECTION("orphans a block confirms or double-spends leave") {
        const auto coin = f.chain.fund(f.alice, 10 * COIN);
        const auto p2 = pay({coin}, f.alice, f.bob.key_hash, FEE);
        const auto kid = pay({coin_of(p2, 0)}, f.bob, f.alice.key_hash, FEE);
        const auto rival = pay({coin_of(p2, 0)}, f.bob, f.bob.key_hash, 2 * FEE);
        REQUIRE(f.pool.accept(kid, CAROL, 0).orphaned);
        REQUIRE(f.pool.accept(rival, CAROL, 0).orphaned);
        f.chain.connect(f.chain.build({p2, kid}, f.alice.key_hash, 2 * FEE), f.pool);
        CHECK(f.pool.orphans().size() == 0);
        CHECK(f.pool.take_orphan_results().empty());
    }
}

TEST_CASE("orphans expire after max_age of the caller's clock", "[mempool][orphan]") {
    PoolFixture f;
    const auto c = chain_of_three(f);
    REQUIRE(f.pool.accept(c.grandchild, CAROL, 1'000).orphaned);
    const auto age = f.pool.orphans().options().max_age;
    REQUIRE(f.pool.accept(c.child, CAROL, 1'000 + age - 1).orphaned);
    CHECK(f.pool.orphans().size() == 2);
    CHECK(f.pool.expire_orphans(1'000 + age) == 1);  // the grandchild, not the child
    CHECK(f.pool.orphans().contains(c.child.txid()));
    CHECK(f.pool.erase_orphans_from(CAROL) == 1);
    CHECK(f.pool.orphans().size() == 0);
}

TEST_CASE("a flood of 10,000 orphans keeps the orphan pool within its bounds", "[mempool][orphan][flood]") {
    PoolFixture f;
    const auto& bounds = f.pool.orphans().options();
    const auto coin = f.chain.fund(f.alice, 10 * COIN);
    std::size_t orphaned = 0;
    for (std::uint32_t i = 0; i < 10'000; ++i) {
        auto ghost = coin;
        ghost.outpoint.index = 1 + i;  // an output nobody has: the parent is "unknown"
        const auto r = f.pool.accept(pay({ghost}, f.alice, f.bob.key_hash, FEE), CAROL + i, i);
        orphaned += r.orphaned;
        REQUIRE(f.pool.orphans().size() <= bounds.max_count);
        REQUIRE(f.pool.orphans().bytes() <= bounds.max_bytes);
    }
    CHECK(orphaned == 10'000);  // each kept at arrival, the oldest evicted
    CHECK(f.pool.orphans().size() == bounds.max_count);
    CHECK(f.pool.size() == 0);
}
