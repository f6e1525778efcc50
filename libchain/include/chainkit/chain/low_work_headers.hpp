// Headers a sender announced whose chain does not (yet) have more work than
// the active chain. They are fully validated (PoW, bits, timestamps) but kept
// out of the block tree and the store: a peer can mine regtest-cheap headers
// of a low-work fork forever, and storing them would grow memory and disk
// without bound. When a sender's chain overtakes the active chain's work the
// chain state moves it into the tree in one store write.
//
// Bound: at most MAX_LOW_WORK_SENDERS chains (the least recently used is
// evicted) of at most MAX_LOW_WORK_HEADERS_PER_SENDER headers each (a chain
// that would grow past it is dropped whole), so at most 8 * 8,000 = 64,000
// headers, about 64,000 * bytes_per_header() (~20 MB) in the worst case,
// nothing on disk.
// Cost of the bound: a heavier chain that forks more than
// MAX_LOW_WORK_HEADERS_PER_SENDER headers below the point where it overtakes
// the active chain cannot be synced header by header (Bitcoin Core's
// two-pass presync, src/headerssync.cpp, lifts that at the price of
// downloading headers twice).
//
// Thread-safety: none; owned by the chain state's thread.
#pragma once

#include "chainkit/chain/block_index.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <unordered_map>

namespace chainkit::chain {

// Opaque tag of whoever sent headers (the node uses its peer id). The chain
// state only compares tags.
using HeaderSender = std::uint64_t;

inline constexpr std::size_t MAX_LOW_WORK_HEADERS_PER_SENDER = 8'000;
inline constexpr std::size_t MAX_LOW_WORK_SENDERS = 8;

class LowWorkHeaders {
public:
    // One sender's chain: nodes[0].parent is a block-tree node,
    // nodes[i].parent == &nodes[i - 1]. Nodes are not in the tree's map and
    // not in any node's children.
    struct Chain {
        std::deque<BlockIndex> nodes;
        std::unordered_map<BlockHash, std::size_t, HashHasher> by_hash;
        std::uint64_t last_use = 0;
    };

    // A node of `sender`'s chain, or null.
    [[nodiscard]] BlockIndex* find(HeaderSender sender, const BlockHash& hash);
    // A node of any sender's chain, or null (for locators).
    [[nodiscard]] const BlockIndex* find_any(const BlockHash& hash) const;

    // Replaces `sender`'s chain by `base` (one of its nodes, or null for an
    // empty prefix) followed by `more` (more.front().parent must be `base`
    // or a tree node when base is null). Returns false, and drops the
    // sender's chain, when the result would exceed the per-sender cap.
    bool extend(HeaderSender sender, const BlockIndex* base, std::deque<BlockIndex>& more);
    // Removes `sender`'s chain up to and including `last`, returning it in
    // order (for the move into the tree); what follows `last` is dropped.
    [[nodiscard]] std::deque<BlockIndex> take_through(HeaderSender sender, const BlockIndex* last);

    void forget(HeaderSender sender) { m_chains.erase(sender); }
    void clear() { m_chains.clear(); }

    [[nodiscard]] std::size_t senders() const noexcept { return m_chains.size(); }
    [[nodiscard]] std::size_t size() const noexcept;  // headers held, all senders
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return size() * bytes_per_header(); }
    // Estimate per held header: the node plus its hash-map entry.
    [[nodiscard]] static constexpr std::size_t bytes_per_header() noexcept {
        return sizeof(BlockIndex) + sizeof(BlockHash) + 4 * sizeof(void*);
    }

private:
    Chain& chain_for(HeaderSender sender);

    std::map<HeaderSender, Chain> m_chains;
    std::uint64_t m_clock = 0;  // use counter for LRU eviction
};

}  // namespace chainkit::chain
