// Mempool's side of the chain: what connected and disconnected blocks do to
// the pool, the rebuild after a reorg, and the recently confirmed txids.
#include "chainkit/chain/mempool.hpp"

namespace chainkit::chain {

void Mempool::on_block_connected(const Block& block, std::uint64_t height) {
    std::vector<TxId> ids;
    ids.reserve(block.txs.size());
    for (const auto& tx : block.txs) ids.push_back(tx.txid());
    on_block_connected(block, height, ids);
}

void Mempool::on_block_connected(const Block& block, std::uint64_t height, std::span<const TxId> ids) {
    // A list of another length is not the block's: hashed here instead.
    if (ids.size() != block.txs.size()) return on_block_connected(block, height);
    m_tip_height = height;
    // Included transactions leave alone: their pool children stay valid,
    // now spending confirmed outputs.
    for (std::size_t t = 1; t < block.txs.size(); ++t) {
        erase(ids[t]);
        remember_confirmed(ids[t]);
    }
    std::vector<TxId> conflicts;
    for (std::size_t t = 1; t < block.txs.size(); ++t) {
        for (const auto& in : block.txs[t].inputs) {
            if (const TxId* spender = m_spent_by.find(in.prevout)) conflicts.push_back(*spender);
        }
    }
    remove_with_descendants(conflicts);
    // Orphans the block confirms or double-spends can never enter; those
    // spending its outputs are tried at the tip change, when the view is current.
    (void)m_orphans.erase_for_block(block, ids);
    for (const auto& id : ids)
        if (m_orphans.has_children(id)) m_arrived_parents.push_back(id);
}

void Mempool::on_block_disconnected(const Block& block, std::uint64_t height) {
    m_tip_height = height == 0 ? 0 : height - 1;
    // The UTXO view may already show the end of the whole reorg (observers
    // may be told after the commit), so revalidation waits for the tip change.
    m_reorg_pending = true;
    std::vector<Transaction> txs;
    if (block.txs.size() > 1) txs.assign(block.txs.begin() + 1, block.txs.end());
    for (const auto& tx : txs) m_recent.erase(tx.txid());
    for (const auto& tx : txs) m_disconnected_bytes += tx.serialized_size();
    m_disconnected.push_back(std::move(txs));
    // A deep reorg must not hold more than a pool's worth of transactions:
    // drop the newest blocks' first, keeping the deeper ones their
    // descendants need.
    while (m_disconnected_bytes > m_options.max_bytes && !m_disconnected.empty()) {
        for (const auto& tx : m_disconnected.front()) m_disconnected_bytes -= tx.serialized_size();
        m_disconnected.pop_front();
    }
}

void Mempool::on_tip_changed(const BlockHash& /*tip*/, std::uint64_t height) {
    m_tip_height = height;
    settle();
}

// Rebuilds the pool against the new tip: transactions of disconnected blocks
// first (oldest block first, block order within: parents before children),
// then the former entries in arrival order. Whatever no longer validates
// (spent by the new branch, spending a vanished coinbase, immature) drops.
// Signatures are not checked again: each was verified over the outputs its
// outpoints name, and a txid commits to its outputs, so the result cannot
// have changed.
void Mempool::revalidate_after_reorg() {
    std::vector<Transaction> txs;
    for (auto b = m_disconnected.rbegin(); b != m_disconnected.rend(); ++b)
        for (auto& tx : *b) txs.push_back(std::move(tx));
    m_disconnected.clear();
    m_disconnected_bytes = 0;
    m_reorg_pending = false;
    for (const auto* e : entries()) txs.push_back(e->tx);
    m_entries.clear();
    m_spent_by.clear();
    m_by_rate.clear();
    m_by_key.clear();
    m_bytes = 0;
    for (const auto& tx : txs) {
        const TxId id = tx.txid();
        if (accept_checked(tx, id, /*check_signatures=*/false) && m_orphans.has_children(id))
            m_arrived_parents.push_back(id);
    }
}

// Remembered in arrival order; the oldest forgotten past the bound. A
// disconnect erases from the map only: its stale queue entries are skipped
// when they come up (the map then holds another arrival number or nothing).
void Mempool::remember_confirmed(const TxId& txid) {
    if (m_options.recent_confirmed == 0) return;
    // Sized for the bound at the first block (Bitcoin Core allocates its
    // rolling filter whole): no doubling, copying and page faults of a
    // growing table on the block path later.
    if (m_recent.empty()) m_recent.reserve(m_options.recent_confirmed);
    const std::uint64_t n = m_recent_next++;
    m_recent.insert_or_assign(txid, n);
    m_recent_order.emplace_back(n, txid);
    while (m_recent_order.size() > m_options.recent_confirmed) {
        const auto& [old_n, old_id] = m_recent_order.front();
        if (const std::uint64_t* at = m_recent.find(old_id); at && *at == old_n) m_recent.erase(old_id);
        m_recent_order.pop_front();
    }
}

}  // namespace chainkit::chain
