// Mempool admission with the orphan pool: the public accept(), orphans
// tried again when their parent arrives, dropped when it is invalid.
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/peer_action.hpp"

#include <fmt/format.h>

#include <unordered_set>

namespace chainkit::chain {

using R = RejectReason;

TxAcceptResult Mempool::accept(const Transaction& tx, PeerTag from, std::int64_t now) {
    // A reorg that ended on its starting tip reports no tip change; the
    // chain is settled whenever a caller outside the callbacks gets here.
    settle();
    (void)m_orphans.expire(now);
    TxAcceptResult result;
    const TxId txid = tx.txid();
    // In memory, before any other check: a peer resending an orphan costs nothing.
    if (m_orphans.contains(txid)) {
        result.validation = ValidationResult::fail(
            R::already_orphan, fmt::format("transaction {} already waits for its parent", txid.hex()));
        return result;
    }
    result.validation = accept_checked(tx, txid, /*check_signatures=*/true);
    if (result.ok()) {
        for (auto* o : m_observers) o->on_tx_accepted(tx);
        resolve_orphans({txid}, result.orphans);
    } else if (result.validation.reason == R::unknown_input) {
        result.orphaned = m_orphans.add(tx, txid, from, now);
    } else {
        drop_orphans_of_invalid(txid, result.validation);
    }
    return result;
}

void Mempool::settle() {
    if (m_reorg_pending) revalidate_after_reorg();
    if (m_arrived_parents.empty()) return;
    std::vector<TxOrphanResult> out;
    resolve_orphans(std::move(m_arrived_parents), out);
    m_arrived_parents.clear();
    for (auto& r : out) m_orphan_results.push_back(std::move(r));
    // Bounded even if the node never reads them: the oldest go first.
    while (m_orphan_results.size() > m_orphans.options().max_count) m_orphan_results.pop_front();
}

std::vector<TxOrphanResult> Mempool::take_orphan_results() {
    settle();
    std::vector<TxOrphanResult> out(std::make_move_iterator(m_orphan_results.begin()),
                                    std::make_move_iterator(m_orphan_results.end()));
    m_orphan_results.clear();
    return out;
}

// Breadth first over a work list, never recursion: a chain of orphans as
// deep as the pool cannot exhaust the stack. An orphan is queued once per
// parent that enters, so the tries are bounded by the orphans' inputs.
void Mempool::resolve_orphans(std::vector<TxId> parents, std::vector<TxOrphanResult>& out) {
    std::deque<TxId> work;
    std::unordered_set<TxId, HashHasher> queued;
    const auto enqueue_children = [&](const TxId& parent) {
        for (const auto& child : m_orphans.children_of(parent))
            if (queued.insert(child).second) work.push_back(child);
    };
    for (const auto& p : parents) enqueue_children(p);
    while (!work.empty()) {
        const TxId id = work.front();
        work.pop_front();
        queued.erase(id);  // another parent arriving later queues it again
        const OrphanTx* o = m_orphans.get(id);
        if (o == nullptr) continue;  // dropped meanwhile (its other parent was invalid)
        const Transaction tx = o->tx;
        const PeerTag from = o->from;
        auto r = accept_checked(tx, id, /*check_signatures=*/true);
        // Another parent still missing, or a store fault: it waits for the next try.
        if (r.reason == R::unknown_input || r.reason == R::storage_failure) continue;
        m_orphans.erase(id);
        if (r.ok()) {
            for (auto* obs : m_observers) obs->on_tx_accepted(tx);
            enqueue_children(id);
        } else {
            drop_orphans_of_invalid(id, r);
        }
        out.push_back(TxOrphanResult{id, from, std::move(r)});
    }
}

// Only when the failure is one the txid commits to: a relay that altered a
// parent's signature (not part of the txid) must not cost the honest
// children their place. Policy failures (fee, full, conflict) may pass
// later, so their orphans wait out their time instead.
void Mempool::drop_orphans_of_invalid(const TxId& parent, const ValidationResult& why) {
    if (peer_action(why.reason) != PeerAction::reject || why.reason == R::bad_signature) return;
    // Transitively: a grandchild can only enter through the child.
    std::vector<TxId> todo{parent};
    std::unordered_set<TxId, HashHasher> seen;
    while (!todo.empty()) {
        const TxId id = todo.back();
        todo.pop_back();
        for (const auto& child : m_orphans.children_of(id)) {
            if (!seen.insert(child).second) continue;
            m_orphans.erase(child);
            todo.push_back(child);
        }
    }
}

}  // namespace chainkit::chain
