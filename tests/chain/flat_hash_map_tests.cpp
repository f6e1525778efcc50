// FlatHashMap against std::unordered_map through random inserts, overwrites
// and erases, with hashers that make long runs and wrap around the table's
// end (where erase's backward shift is easiest to get wrong), and the keyed
// SaltedHasher it runs under in the node.
#include "chainkit/chain/flat_hash_map.hpp"
#include "chainkit/chain/salted_hasher.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <unordered_map>

using namespace chainkit::chain;

namespace {

// Every key lands in one of `homes` slots near the table's end: long runs
// that wrap.
struct CrowdingHasher {
    std::size_t homes = 3;
    std::size_t operator()(std::uint32_t k) const noexcept { return ~std::size_t{0} - k % homes; }
};

struct PlainHasher {
    std::size_t operator()(std::uint32_t k) const noexcept { return k * 0x9e3779b97f4a7c15ULL; }
};

template <class Map>
void check_equal(const Map& m, const std::unordered_map<std::uint32_t, std::string>& model) {
    REQUIRE(m.size() == model.size());
    for (const auto& [k, v] : model) {
        const auto* got = m.find(k);
        REQUIRE(got != nullptr);
        CHECK(*got == v);
    }
    std::size_t seen = 0;
    m.for_each([&](std::uint32_t k, const std::string& v) {
        ++seen;
        const auto it = model.find(k);
        REQUIRE(it != model.end());
        CHECK(it->second == v);
    });
    CHECK(seen == model.size());
}

template <class Hasher>
void random_ops(Hasher hasher, std::uint32_t key_space, int ops, unsigned seed) {
    FlatHashMap<std::uint32_t, std::string, Hasher> m(hasher);
    std::unordered_map<std::uint32_t, std::string> model;
    std::mt19937 rng(seed);
    for (int i = 0; i < ops; ++i) {
        const std::uint32_t k = rng() % key_space;
        switch (rng() % 4) {
            case 0:
            case 1: {
                const std::string v = std::to_string(rng());
                const auto [stored, added] = m.try_emplace(k, v);
                const auto [it, model_added] = model.try_emplace(k, v);
                REQUIRE(added == model_added);
                CHECK(*stored == it->second);
                break;
            }
            case 2: {
                const std::string v = "over" + std::to_string(i);
                m.insert_or_assign(k, v);
                model[k] = v;
                break;
            }
            case 3:
                if (rng() % 2 == 0) {
                    REQUIRE(m.erase(k) == (model.erase(k) == 1));
                } else {
                    const auto taken = m.take(k);
                    const auto it = model.find(k);
                    REQUIRE(taken.has_value() == (it != model.end()));
                    if (taken) {
                        CHECK(*taken == it->second);
                        model.erase(it);
                    }
                }
                break;
            default:
                break;
        }
        if (i % 97 == 0) check_equal(m, model);
        for (std::uint32_t probe = 0; probe < 4; ++probe) {
            const std::uint32_t q = (k + probe) % key_space;
            REQUIRE(m.contains(q) == model.contains(q));
        }
    }
    check_equal(m, model);
    while (!model.empty()) {
        const auto k = model.begin()->first;
        REQUIRE(m.erase(k));
        model.erase(model.begin());
        REQUIRE_FALSE(m.contains(k));
    }
    CHECK(m.empty());
    CHECK_FALSE(m.erase(1));
}

}  // namespace

TEST_CASE("a flat hash map agrees with std::unordered_map through random operations", "[flat_hash_map]") {
    SECTION("well spread keys") {
        random_ops(PlainHasher{}, 5000, 40000, 1);
    }
    SECTION("every key in one of three homes: long runs wrapping the table's end") {
        random_ops(CrowdingHasher{3}, 300, 20000, 2);
    }
    SECTION("one home for all") {
        random_ops(CrowdingHasher{1}, 64, 5000, 3);
    }
}

TEST_CASE("a flat hash map's erase keeps later keys of the run reachable across the table's end", "[flat_hash_map]") {
    // 8 slots: homes 7 (keys 0, 2, 4) and 6 (keys 1, 3) interleave around slot 0.
    FlatHashMap<std::uint32_t, std::string, CrowdingHasher> m(CrowdingHasher{2});
    m.reserve(5);
    for (std::uint32_t k = 0; k < 5; ++k) REQUIRE(m.try_emplace(k, std::to_string(k)).second);
    for (std::uint32_t gone = 0; gone < 5; ++gone) {
        REQUIRE(m.erase(gone));
        for (std::uint32_t k = gone + 1; k < 5; ++k) {
            REQUIRE(m.find(k) != nullptr);
            CHECK(*m.find(k) == std::to_string(k));
        }
        CHECK_FALSE(m.contains(gone));
    }
    CHECK(m.empty());
}

TEST_CASE("a flat hash set inserts once and reserves ahead", "[flat_hash_map]") {
    FlatHashSet<std::uint32_t, PlainHasher> s;
    s.reserve(1000);
    for (std::uint32_t k = 0; k < 1000; ++k) CHECK(s.insert(k));
    for (std::uint32_t k = 0; k < 1000; ++k) CHECK_FALSE(s.insert(k));
    CHECK(s.size() == 1000);
    std::uint64_t sum = 0;
    s.for_each([&](std::uint32_t k) { sum += k; });
    CHECK(sum == 999 * 1000 / 2);
    s.clear();
    CHECK(s.empty());
    CHECK_FALSE(s.contains(5));
}

TEST_CASE("salted hashers agree under one key and differ across keys", "[flat_hash_map][salted]") {
    SaltedHasher::Key k1{}, k2{};
    k2[0] = 1;
    const SaltedHasher a(k1), a2(k1), b(k2);
    OutPoint o{TxId{}, 0};
    o.txid.bytes()[5] = 9;
    CHECK(a(o) == a2(o));
    CHECK(a(o) != b(o));
    // The index is hashed too: outpoints of one transaction spread.
    OutPoint o1 = o;
    o1.index = 1;
    CHECK(a(o) != a(o1));
    // A txid and the outpoint naming its output 0 are different inputs.
    CHECK(a(o.txid) != a(o));
    KeyHash kh{};
    kh.bytes[0] = 3;
    CHECK(a(kh) == a2(kh));
    CHECK(a(kh) != b(kh));
    // Random keys: two default hashers differ (2^-64 chance of a false failure).
    CHECK(SaltedHasher{}(o) != SaltedHasher{}(o));
}
