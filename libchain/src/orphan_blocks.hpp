// Blocks whose parent is unknown (accept_block's unknown_parent), kept by
// the ChainState until the parent arrives, so that a branch relayed out of
// order is not fetched twice.
//
// Bounds: at most MAX_ORPHAN_BLOCKS blocks and MAX_ORPHAN_BYTES serialized
// bytes at once (chain_state.hpp). Adding a block first evicts the oldest
// (first added: its parent has had the longest to arrive) until both hold.
// The bound caps memory only: a flood of orphans pushes out honest ones too,
// and nothing here validates; the ChainState checks a block (check_block)
// before it keeps it.
//
// Each orphan carries the tag of the peer that sent it: when its parent
// arrives and it is connected or refused, the ChainState reports the
// outcome under that tag (AcceptResult::orphans), so an invalid orphan is
// blamed on its sender, not on whoever sent the parent.
//
// Private to libchain. Thread-safety: none; owned by the ChainState and used
// on its thread.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/chain_state.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

namespace chainkit::chain {

class OrphanBlocks {
public:
    struct Orphan {
        BlockHash hash;
        Block block;
        PeerTag from = LOCAL_PEER;
    };

    // Keeps `block` (hash `hash`, not already here) from `from`, evicting
    // the oldest orphans until both bounds hold with it added.
    void add(const Block& block, const BlockHash& hash, PeerTag from);
    // Removes and returns the orphans whose parent is `parent`, in the order
    // they were added (its grandchildren stay: take them by each child's hash).
    [[nodiscard]] std::vector<Orphan> take_children(const BlockHash& parent);

    [[nodiscard]] bool contains(const BlockHash& hash) const { return m_orphans.contains(hash); }
    [[nodiscard]] std::size_t size() const noexcept { return m_orphans.size(); }
    [[nodiscard]] std::size_t bytes() const noexcept { return m_bytes; }

private:
    struct Entry {
        Block block;
        std::size_t bytes = 0;
        std::uint64_t sequence = 0;  // arrival order: the eviction order
        PeerTag from = LOCAL_PEER;
    };

    void evict_oldest();

    std::unordered_map<BlockHash, Entry, HashHasher> m_orphans;
    std::multimap<BlockHash, BlockHash> m_by_parent;  // parent -> orphan, in arrival order per parent
    std::size_t m_bytes = 0;
    std::uint64_t m_next_sequence = 0;
};

}  // namespace chainkit::chain
