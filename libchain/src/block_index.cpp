#include "chainkit/chain/block_index.hpp"

#include "chainkit/chain/pow.hpp"

namespace chainkit::chain {

BlockIndex* BlockTree::insert(const BlockHash& hash, const BlockIndexRecord& rec) {
    auto [it, inserted] = m_nodes.try_emplace(hash);
    if (!inserted) return it->second.get();
    auto node = std::make_unique<BlockIndex>();
    node->record = rec;
    node->hash = hash;
    node->sequence = m_next_sequence++;
    if (auto parent = m_nodes.find(rec.header.prev); parent != m_nodes.end() && parent->second) {
        node->parent = parent->second.get();
        node->parent->children.push_back(node.get());
    }
    it->second = std::move(node);
    return it->second.get();
}

BlockIndex* BlockTree::find(const BlockHash& hash) const {
    auto it = m_nodes.find(hash);
    return it == m_nodes.end() ? nullptr : it->second.get();
}

bool BlockTree::link_all(const BlockHash& genesis) {
    for (auto& [hash, node] : m_nodes) {
        node->parent = nullptr;
        node->children.clear();
    }
    // Heights and work come from disk: recompute what is derivable and
    // refuse a tree that disagrees, so a corrupt record cannot size the
    // active chain or reorder the candidates.
    for (auto& [hash, node] : m_nodes) {
        const Uint256 own = block_work(node->record.header.bits);
        if (hash == genesis) {
            if (node->height() != 0 || node->work() != own) return false;
            continue;
        }
        auto* parent = find(node->record.header.prev);
        if (!parent || parent->height() + 1 != node->height()) return false;
        if (node->work() != parent->work() + own) return false;
        node->parent = parent;
        parent->children.push_back(node.get());
    }
    return true;
}

const BlockIndex* BlockTree::ancestor(const BlockIndex* b, std::uint64_t height) {
    while (b && b->height() > height) b = b->parent;
    return b;
}

const BlockIndex* BlockTree::fork_point(const BlockIndex* a, const BlockIndex* b) {
    if (!a || !b) return nullptr;
    if (a->height() > b->height()) a = ancestor(a, b->height());
    if (b->height() > a->height()) b = ancestor(b, a->height());
    while (a && b && a != b) {
        a = a->parent;
        b = b->parent;
    }
    return a == b ? a : nullptr;
}

}  // namespace chainkit::chain
