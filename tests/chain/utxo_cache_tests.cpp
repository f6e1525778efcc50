// UtxoCache: what a read, a spend and an add leave in changes(), and how
// often each reaches the base view (a store read each, in a node).
#include "chainkit/chain/utxo.hpp"

#include "support/counting_utxo_view.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;
using chainkit::test::CountingUtxoView;

namespace {

OutPoint outpoint(std::uint8_t n, std::uint32_t index = 0) {
    std::array<std::uint8_t, 32> id{};
    id[0] = n;
    return OutPoint{TxId(id), index};
}

Coin coin(Amount value) {
    return Coin{TxOut{value, KeyHash{}}, 7, false};
}

// A base set holding outpoint(1) worth 5 and outpoint(2) worth 9.
struct Fixture {
    MemoryUtxoSet set;
    CountingUtxoView base{set};
    Fixture() {
        set.add(outpoint(1), coin(5));
        set.add(outpoint(2), coin(9));
    }
};

}  // namespace

TEST_CASE("an input read and then spent reads the base once and leaves a spend", "[utxo]") {
    Fixture f;
    UtxoCache cache(f.base);
    REQUIRE(cache.get_coin(outpoint(1)) == coin(5));
    CHECK(cache.spend_coin(outpoint(1)) == coin(5));
    CHECK(f.base.reads() == 1);
    CHECK_FALSE(cache.get_coin(outpoint(1)));
    CHECK_FALSE(cache.spend_coin(outpoint(1)));  // spent once only
    CHECK(f.base.reads() == 1);
    REQUIRE(cache.changes().size() == 1);
    CHECK(cache.changes().at(outpoint(1)) == std::nullopt);
}

TEST_CASE("a spend never read before reads the base once", "[utxo]") {
    Fixture f;
    UtxoCache cache(f.base);
    CHECK(cache.spend_coin(outpoint(2)) == coin(9));
    CHECK(f.base.reads() == 1);
    CHECK_FALSE(cache.get_coin(outpoint(2)));
    CHECK(f.base.reads() == 1);
    CHECK(cache.changes().at(outpoint(2)) == std::nullopt);
}

TEST_CASE("an absent coin is remembered absent and changes nothing", "[utxo]") {
    Fixture f;
    UtxoCache cache(f.base);
    CHECK_FALSE(cache.get_coin(outpoint(3)));
    CHECK_FALSE(cache.spend_coin(outpoint(3)));
    CHECK_FALSE(cache.spend_coin(outpoint(3)));
    CHECK_FALSE(cache.get_coin(outpoint(3)));
    CHECK(f.base.reads() == 1);
    CHECK(cache.changes().empty());
    // Added later (an output of a block in the same step): found, spendable.
    cache.add_coin(outpoint(3), coin(4));
    CHECK(cache.get_coin(outpoint(3)) == coin(4));
    CHECK(cache.spend_coin(outpoint(3)) == coin(4));
    CHECK(cache.changes().at(outpoint(3)) == std::nullopt);
    CHECK(f.base.reads() == 1);
}

TEST_CASE("a coin added in the cache is spent without a base read", "[utxo]") {
    Fixture f;
    UtxoCache cache(f.base);
    cache.add_coin(outpoint(4, 1), coin(2));
    CHECK(cache.spend_coin(outpoint(4, 1)) == coin(2));
    CHECK(f.base.reads() == 0);
    CHECK(cache.changes().at(outpoint(4, 1)) == std::nullopt);
    // Applying the changes leaves the base as it was for this outpoint.
    f.set.apply(cache.changes());
    CHECK_FALSE(f.set.get_coin(outpoint(4, 1)));
    CHECK(f.set.size() == 2);
}
