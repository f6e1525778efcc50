#include "chainkit/chain/low_work_headers.hpp"

#include <algorithm>

namespace chainkit::chain {

BlockIndex* LowWorkHeaders::find(HeaderSender sender, const BlockHash& hash) {
    auto c = m_chains.find(sender);
    if (c == m_chains.end()) return nullptr;
    auto it = c->second.by_hash.find(hash);
    return it == c->second.by_hash.end() ? nullptr : &c->second.nodes[it->second];
}

const BlockIndex* LowWorkHeaders::find_any(const BlockHash& hash) const {
    for (const auto& [sender, chain] : m_chains) {
        if (auto it = chain.by_hash.find(hash); it != chain.by_hash.end()) return &chain.nodes[it->second];
    }
    return nullptr;
}

std::size_t LowWorkHeaders::size() const noexcept {
    std::size_t n = 0;
    for (const auto& [sender, chain] : m_chains) n += chain.nodes.size();
    return n;
}

LowWorkHeaders::Chain& LowWorkHeaders::chain_for(HeaderSender sender) {
    auto it = m_chains.find(sender);
    if (it == m_chains.end()) {
        if (m_chains.size() >= MAX_LOW_WORK_SENDERS) {
            // Evict the sender heard from least recently: a flood of tags
            // cannot grow memory, only push out other senders' progress.
            auto victim = std::min_element(m_chains.begin(), m_chains.end(), [](const auto& a, const auto& b) {
                return a.second.last_use < b.second.last_use;
            });
            m_chains.erase(victim);
        }
        it = m_chains.try_emplace(sender).first;
    }
    it->second.last_use = ++m_clock;
    return it->second;
}

bool LowWorkHeaders::extend(HeaderSender sender, const BlockIndex* base, std::deque<BlockIndex>& more) {
    Chain& c = chain_for(sender);
    std::size_t keep = 0;
    if (base) {
        auto it = c.by_hash.find(base->hash);
        keep = it == c.by_hash.end() ? 0 : it->second + 1;
    }
    if (keep + more.size() > MAX_LOW_WORK_HEADERS_PER_SENDER) {
        m_chains.erase(sender);
        return false;
    }
    while (c.nodes.size() > keep) {
        c.by_hash.erase(c.nodes.back().hash);
        c.nodes.pop_back();
    }
    for (auto& n : more) {
        // Moved nodes change address: relink each to its new predecessor.
        BlockIndex* prev = c.nodes.empty() ? nullptr : &c.nodes.back();
        BlockIndex& added = c.nodes.emplace_back(std::move(n));
        if (prev) added.parent = prev;
        c.by_hash.emplace(added.hash, c.nodes.size() - 1);
    }
    return true;
}

std::deque<BlockIndex> LowWorkHeaders::take_through(HeaderSender sender, const BlockIndex* last) {
    std::deque<BlockIndex> out;
    auto c = m_chains.find(sender);
    if (c == m_chains.end() || !last) return out;
    auto it = c->second.by_hash.find(last->hash);
    if (it != c->second.by_hash.end()) {
        const std::size_t end = it->second + 1;
        for (std::size_t i = 0; i < end; ++i) out.push_back(std::move(c->second.nodes[i]));
    }
    m_chains.erase(c);
    return out;
}

}  // namespace chainkit::chain
