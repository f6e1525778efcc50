#include "orphan_blocks.hpp"

#include <algorithm>

namespace chainkit::chain {

void OrphanBlocks::add(const Block& block, const BlockHash& hash, PeerTag from) {
    const std::size_t bytes = block.serialized_size();
    while (!m_orphans.empty() && (m_orphans.size() >= MAX_ORPHAN_BLOCKS || m_bytes + bytes > MAX_ORPHAN_BYTES))
        evict_oldest();
    m_orphans.emplace(hash, Entry{block, bytes, m_next_sequence++, from});
    m_by_parent.emplace(block.header.prev, hash);
    m_bytes += bytes;
}

void OrphanBlocks::evict_oldest() {
    auto oldest = std::min_element(m_orphans.begin(), m_orphans.end(),
                                   [](const auto& a, const auto& b) { return a.second.sequence < b.second.sequence; });
    const BlockHash victim = oldest->first;
    const BlockHash parent = oldest->second.block.header.prev;
    m_bytes -= oldest->second.bytes;
    m_orphans.erase(oldest);
    auto [lo, hi] = m_by_parent.equal_range(parent);
    for (auto it = lo; it != hi; ++it) {
        if (it->second == victim) {
            m_by_parent.erase(it);
            break;
        }
    }
}

std::vector<OrphanBlocks::Orphan> OrphanBlocks::take_children(const BlockHash& parent) {
    auto [lo, hi] = m_by_parent.equal_range(parent);
    std::vector<Orphan> children;
    for (auto it = lo; it != hi; ++it) {
        auto entry = m_orphans.find(it->second);
        if (entry == m_orphans.end()) continue;
        m_bytes -= entry->second.bytes;
        children.push_back(Orphan{entry->first, std::move(entry->second.block), entry->second.from});
        m_orphans.erase(entry);
    }
    m_by_parent.erase(lo, hi);
    return children;
}

}  // namespace chainkit::chain
