// The ChainState's orphan block pool (libchain/src/orphan_blocks.hpp): what
// take_children hands back, and the count bound's eviction order. The pool
// behind ChainState is covered in tests/store/chain_state_tests.cpp.
#include "orphan_blocks.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace chainkit::chain;

namespace {

// Blocks are not validated here: a header with a parent and a nonce is enough.
Block child_of(const BlockHash& parent, std::uint32_t nonce) {
    Block b;
    b.header.prev = parent;
    b.header.nonce = nonce;
    return b;
}

BlockHash some_parent() {
    BlockHash h;
    h.bytes()[0] = 0x42;
    return h;
}

}  // namespace

TEST_CASE("orphan blocks: a parent's children come back in arrival order with their senders", "[orphan_blocks]") {
    OrphanBlocks pool;
    const auto parent = some_parent();
    const auto c1 = child_of(parent, 1);
    const auto c2 = child_of(parent, 2);
    const auto grandchild = child_of(c1.hash(), 3);
    pool.add(c2, c2.hash(), 7);
    pool.add(grandchild, grandchild.hash(), 8);
    pool.add(c1, c1.hash(), 9);
    CHECK(pool.size() == 3);
    CHECK(pool.bytes() == c1.serialized_size() + c2.serialized_size() + grandchild.serialized_size());

    const auto children = pool.take_children(parent);
    REQUIRE(children.size() == 2);
    CHECK(children[0].hash == c2.hash());
    CHECK(children[0].from == 7);
    CHECK(children[0].block.hash() == c2.hash());
    CHECK(children[1].hash == c1.hash());
    CHECK(children[1].from == 9);
    // The grandchild waits for its own parent's hash.
    CHECK(pool.contains(grandchild.hash()));
    CHECK_FALSE(pool.contains(c1.hash()));
    CHECK(pool.size() == 1);
    CHECK(pool.bytes() == grandchild.serialized_size());
    CHECK(pool.take_children(parent).empty());
    REQUIRE(pool.take_children(c1.hash()).size() == 1);
    CHECK(pool.size() == 0);
    CHECK(pool.bytes() == 0);
}

TEST_CASE("orphan blocks: past MAX_ORPHAN_BLOCKS the oldest is evicted, by-parent entry and bytes too",
          "[orphan_blocks]") {
    OrphanBlocks pool;
    const auto parent = some_parent();
    std::vector<Block> blocks;
    for (std::uint32_t i = 0; i < MAX_ORPHAN_BLOCKS + 2; ++i) {
        blocks.push_back(child_of(parent, i));
        pool.add(blocks.back(), blocks.back().hash(), i);
    }
    CHECK(pool.size() == MAX_ORPHAN_BLOCKS);
    CHECK(pool.bytes() == MAX_ORPHAN_BLOCKS * blocks[0].serialized_size());
    CHECK_FALSE(pool.contains(blocks[0].hash()));
    CHECK_FALSE(pool.contains(blocks[1].hash()));
    CHECK(pool.contains(blocks[2].hash()));
    const auto children = pool.take_children(parent);
    REQUIRE(children.size() == MAX_ORPHAN_BLOCKS);
    CHECK(children.front().hash == blocks[2].hash());
    CHECK(children.back().hash == blocks.back().hash());
    CHECK(pool.size() == 0);
    CHECK(pool.bytes() == 0);
}
