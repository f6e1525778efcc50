#include "chainkit/chain/tx_orphan_pool.hpp"

#include <algorithm>

namespace chainkit::chain {

bool TxOrphanPool::add(const Transaction& tx, const TxId& txid, PeerTag from, std::int64_t now) {
    if (m_orphans.contains(txid) || m_options.max_count == 0) return false;
    const std::size_t size = tx.serialized_size();
    if (size > m_options.max_tx_bytes || size > m_options.max_bytes) return false;
    // Oldest first, as the header states: an attacker flooding orphans
    // flushes older ones, but never grows the pool past its bounds.
    while (!m_orphans.empty() && (m_orphans.size() + 1 > m_options.max_count || m_bytes + size > m_options.max_bytes))
        erase_oldest();
    OrphanTx o{tx, txid, from, now, size, m_next_sequence++};
    for (const auto& in : tx.inputs) m_by_parent.emplace(in.prevout.txid, txid);
    m_by_age.emplace(o.sequence, txid);
    m_bytes += size;
    // Saturating: a clock near the type's end must not wrap the deadline.
    const std::int64_t deadline =
        now > std::numeric_limits<std::int64_t>::max() - m_options.max_age ? now : now + m_options.max_age;
    m_next_expiry = std::min(m_next_expiry, deadline);
    m_orphans.emplace(txid, std::move(o));
    return true;
}

void TxOrphanPool::erase(const TxId& txid) {
    const auto it = m_orphans.find(txid);
    if (it == m_orphans.end()) return;
    for (const auto& in : it->second.tx.inputs) m_by_parent.erase({in.prevout.txid, txid});
    m_by_age.erase(it->second.sequence);
    m_bytes -= it->second.size;
    m_orphans.erase(it);
}

void TxOrphanPool::erase_oldest() {
    if (!m_by_age.empty()) erase(m_by_age.begin()->second);
}

const OrphanTx* TxOrphanPool::get(const TxId& txid) const {
    const auto it = m_orphans.find(txid);
    return it == m_orphans.end() ? nullptr : &it->second;
}

std::vector<TxId> TxOrphanPool::children_of(const TxId& parent) const {
    std::vector<const OrphanTx*> found;
    for (auto it = m_by_parent.lower_bound({parent, TxId{}}); it != m_by_parent.end() && it->first == parent; ++it)
        found.push_back(&m_orphans.at(it->second));
    std::sort(found.begin(), found.end(), [](const auto* a, const auto* b) { return a->sequence < b->sequence; });
    std::vector<TxId> out;
    out.reserve(found.size());
    for (const auto* o : found) out.push_back(o->txid);
    return out;
}

bool TxOrphanPool::has_children(const TxId& parent) const {
    const auto it = m_by_parent.lower_bound({parent, TxId{}});
    return it != m_by_parent.end() && it->first == parent;
}

std::size_t TxOrphanPool::expire(std::int64_t now) {
    if (now < m_next_expiry) return 0;
    std::vector<TxId> old;
    m_next_expiry = std::numeric_limits<std::int64_t>::max();
    for (const auto& [id, o] : m_orphans) {
        // o.time <= now - max_age, written so that neither side overflows.
        if (o.time <= now && now - o.time >= m_options.max_age)
            old.push_back(id);
        else if (o.time <= std::numeric_limits<std::int64_t>::max() - m_options.max_age)
            m_next_expiry = std::min(m_next_expiry, o.time + m_options.max_age);
    }
    for (const auto& id : old) erase(id);
    return old.size();
}

std::size_t TxOrphanPool::erase_from(PeerTag from) {
    std::vector<TxId> theirs;
    for (const auto& [id, o] : m_orphans)
        if (o.from == from) theirs.push_back(id);
    for (const auto& id : theirs) erase(id);
    return theirs.size();
}

std::size_t TxOrphanPool::erase_for_block(const Block& block, std::span<const TxId> txids) {
    if (m_orphans.empty()) return 0;
    const bool hashed = txids.size() == block.txs.size();
    std::vector<TxId> gone;
    for (std::size_t t = 0; t < block.txs.size(); ++t) {
        const auto& tx = block.txs[t];
        const TxId id = hashed ? txids[t] : tx.txid();
        if (m_orphans.contains(id)) gone.push_back(id);
        for (const auto& in : tx.inputs) {
            for (const auto& child : children_of(in.prevout.txid)) {
                const auto& ins = m_orphans.at(child).tx.inputs;
                if (std::any_of(ins.begin(), ins.end(), [&](const TxIn& i) { return i.prevout == in.prevout; }))
                    gone.push_back(child);
            }
        }
    }
    std::size_t erased = 0;
    for (const auto& id : gone) {
        if (m_orphans.contains(id)) ++erased;
        erase(id);
    }
    return erased;
}

}  // namespace chainkit::chain
