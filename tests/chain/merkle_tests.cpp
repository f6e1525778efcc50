#include "chainkit/chain/merkle.hpp"

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;

TEST_CASE("merkle roots match the reference for 1 to 9 leaves", "[merkle]") {
    const auto vectors = chainkit::test::load_vectors("encoding.json");
    for (const auto& c : vectors["merkle"]) {
        std::vector<WtxId> leaves;
        for (const auto& l : c["leaves"]) leaves.push_back(*WtxId::from_hex(l.get<std::string>()));
        bool mutated = true;
        CHECK(merkle_root(leaves, &mutated).hex() == c["root"].get<std::string>());
        CHECK_FALSE(mutated);
    }
}

TEST_CASE("an empty list has the zero root", "[merkle]") {
    CHECK(merkle_root({}).is_zero());
}

TEST_CASE("CVE-2012-2459: a duplicated tail has the same root and is flagged", "[merkle]") {
    // [a b c] pairs c with itself, so [a b c c] gives the same root: the
    // mutation must be detected, or a node could reject a valid block's hash.
    std::vector<WtxId> three, four;
    for (int i = 0; i < 3; ++i) {
        WtxId t;
        t.bytes()[0] = static_cast<std::uint8_t>(i + 1);
        three.push_back(t);
    }
    four = three;
    four.push_back(three.back());
    bool m3 = true, m4 = false;
    CHECK(merkle_root(three, &m3) == merkle_root(four, &m4));
    CHECK_FALSE(m3);
    CHECK(m4);

    // The same one level up: [a b c d e f] vs [a b c d e f e f].
    std::vector<WtxId> six, eight;
    for (int i = 0; i < 6; ++i) {
        WtxId t;
        t.bytes()[0] = static_cast<std::uint8_t>(i + 1);
        six.push_back(t);
    }
    eight = six;
    eight.push_back(six[4]);
    eight.push_back(six[5]);
    bool m6 = true, m8 = false;
    CHECK(merkle_root(six, &m6) == merkle_root(eight, &m8));
    CHECK_FALSE(m6);
    CHECK(m8);
}
