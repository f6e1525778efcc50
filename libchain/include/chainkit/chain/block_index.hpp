// The block tree: every header the node knows, with its height, cumulative
// work and validation status, linked to its parent. ChainState owns one;
// storage persists each entry as a BlockIndexRecord.
//
// Not thread-safe: owned by the chain state's thread.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/uint256.hpp"

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace chainkit::chain {

// Persisted status of one block. Values are stored on disk: append only.
enum class BlockStatus : std::uint8_t {
    header_valid = 0,    // header passed contextual checks; body not stored
    data_stored = 1,     // body stored and passed check_block; not yet connected
    connected_once = 2,  // connected to the UTXO set at least once (undo stored)
    failed = 3,          // the block itself broke a consensus rule
    failed_parent = 4,   // an ancestor failed
};

[[nodiscard]] constexpr bool is_failed(BlockStatus s) noexcept {
    return s == BlockStatus::failed || s == BlockStatus::failed_parent;
}
[[nodiscard]] constexpr bool has_data(BlockStatus s) noexcept {
    return s == BlockStatus::data_stored || s == BlockStatus::connected_once;
}

// What storage keeps per block in the index column family.
struct BlockIndexRecord {
    BlockHeader header;
    std::uint64_t height = 0;
    Uint256 chain_work;  // sum of block_work() from genesis to this block
    BlockStatus status = BlockStatus::header_valid;
    friend bool operator==(const BlockIndexRecord&, const BlockIndexRecord&) = default;
};

// One node of the in-memory tree. `parent` is null only for genesis.
struct BlockIndex {
    BlockIndexRecord record;
    BlockHash hash;
    BlockIndex* parent = nullptr;
    std::vector<BlockIndex*> children;
    std::uint64_t sequence = 0;  // arrival order: the first seen wins ties in work
    bool has_chain = false;      // this block and all its ancestors have data

    [[nodiscard]] std::uint64_t height() const noexcept { return record.height; }
    [[nodiscard]] const Uint256& work() const noexcept { return record.chain_work; }
    [[nodiscard]] BlockStatus status() const noexcept { return record.status; }
};

class BlockTree {
public:
    // Inserts `rec` under `hash`; links it to its parent if known. Returns
    // the existing node if the hash is already present.
    BlockIndex* insert(const BlockHash& hash, const BlockIndexRecord& rec);
    [[nodiscard]] BlockIndex* find(const BlockHash& hash) const;
    [[nodiscard]] std::size_t size() const noexcept { return m_nodes.size(); }
    void clear() {
        m_nodes.clear();
        m_next_sequence = 0;
    }

    // Links every node to its parent after a bulk load; false if some
    // non-genesis node's parent is missing (corrupt index).
    [[nodiscard]] bool link_all(const BlockHash& genesis);

    // Ancestor of `b` at `height` (<= b's height), walking parent links.
    [[nodiscard]] static const BlockIndex* ancestor(const BlockIndex* b, std::uint64_t height);
    // Last common ancestor of `a` and `b` (both in the same tree).
    [[nodiscard]] static const BlockIndex* fork_point(const BlockIndex* a, const BlockIndex* b);

    template <class F>
    void for_each(F&& f) const {
        for (const auto& [h, n] : m_nodes) f(*n);
    }

private:
    std::unordered_map<BlockHash, std::unique_ptr<BlockIndex>, HashHasher> m_nodes;
    std::uint64_t m_next_sequence = 0;
};

}  // namespace chainkit::chain
