// The secure arena behind KeyPair: thousands of keys share a few mappings,
// slots are wiped and reused, and empty chunks are given back.
#include "chainkit/wallet/key.hpp"

#include "secret_arena.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace chainkit;
using wallet::detail::secret_arena_chunks;

TEST_CASE("10,000 keys share a handful of arena chunks, returned when the keys go", "[wallet][arena]") {
    const auto before = secret_arena_chunks();
    {
        std::vector<wallet::KeyPair> keys;
        for (int i = 0; i < 10'000; ++i) keys.push_back(wallet::KeyPair::generate());
        // One mapping per key (the old layout) would be 10,000 chunks.
        CHECK(secret_arena_chunks() <= before + 10'000 / 1024 + 1);
        CHECK(secret_arena_chunks() >= 10'000 / 1024);
        const chain::Hash256 msg{};
        CHECK(keys[9'999].sign(msg) != keys[0].sign(msg));
    }
    CHECK(secret_arena_chunks() <= std::max<std::size_t>(before, 1));
}

TEST_CASE("a freed slot is wiped and reused", "[wallet][arena]") {
    auto* p = wallet::detail::secret_slot_alloc();
    REQUIRE(p != nullptr);
    for (std::size_t i = 0; i < wallet::detail::SECRET_SLOT_SIZE; ++i) {
        CHECK(p[i] == 0);
        p[i] = 0xAB;
    }
    wallet::detail::secret_slot_free(p);
    auto* q = wallet::detail::secret_slot_alloc();
    REQUIRE(q == p);  // the last freed slot of the current chunk comes back first
    for (std::size_t i = 0; i < wallet::detail::SECRET_SLOT_SIZE; ++i) CHECK(q[i] == 0);
    wallet::detail::secret_slot_free(q);
}
