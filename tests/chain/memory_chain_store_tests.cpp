// MemoryChainStore's address index against a model: coins_for(key) lists
// exactly the unspent coins paying key, through adds, spends and coins
// rewritten to another key, and uses_erased_keys says no hints are needed.
#include "chainkit/chain/memory_chain_store.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>

using namespace chainkit::chain;

TEST_CASE("the memory store's address index follows adds, spends and rewrites to another key", "[store][memory]") {
    MemoryChainStore store;
    CHECK_FALSE(store.uses_erased_keys());
    std::mt19937 rng(11);
    std::vector<KeyHash> keys(5);
    for (std::size_t k = 0; k < keys.size(); ++k) keys[k].bytes[0] = static_cast<std::uint8_t>(k + 1);
    std::map<OutPoint, Coin> model;
    std::uint32_t next = 0;
    for (int round = 0; round < 50; ++round) {
        StoreBatch b;
        for (int i = 0; i < 20; ++i) {
            std::array<std::uint8_t, 32> id{};
            id[0] = static_cast<std::uint8_t>(next);
            id[1] = static_cast<std::uint8_t>(next >> 8);
            ++next;
            const OutPoint o{TxId(id), static_cast<std::uint32_t>(rng() % 2)};
            const Coin c{TxOut{static_cast<Amount>(rng() % 1000 + 1), keys[rng() % keys.size()]}, next, false};
            b.coins[o] = c;
            model[o] = c;
        }
        for (int i = 0; i < 10 && !model.empty(); ++i) {
            auto it = std::next(model.begin(), static_cast<long>(rng() % model.size()));
            if (b.coins.contains(it->first)) continue;
            if (i % 3 == 0) {
                // Rewritten in place, paying another key (a reorg's restore can do this).
                Coin c = it->second;
                const std::size_t was = c.out.key_hash.bytes[0] - 1u;
                c.out.key_hash = keys[(was + 1 + rng() % (keys.size() - 1)) % keys.size()];
                b.coins[it->first] = c;
                it->second = c;
            } else {
                b.coins[it->first] = std::nullopt;
                model.erase(it);
            }
        }
        REQUIRE(store.write(b).ok());
    }
    for (const auto& key : keys) {
        std::vector<OwnedCoin> want;
        for (const auto& [o, c] : model)
            if (c.out.key_hash == key) want.push_back({o, c});
        auto got = store.coins_for(key);
        REQUIRE(got.ok());
        CHECK(*got == want);
    }
    std::size_t total = 0;
    REQUIRE(store.for_each_coin([&](const OutPoint&, const Coin&) { return ++total, true; }).ok());
    CHECK(total == model.size());
}
