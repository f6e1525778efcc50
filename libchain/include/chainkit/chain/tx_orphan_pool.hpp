// Transactions whose inputs the node cannot find yet (a parent not seen, or
// already spent: RejectReason::unknown_input), kept so that a child relayed
// before its parent is not lost. Bounded like Bitcoin Core's orphanage
// (MAX_ORPHAN_TRANSACTIONS = 100): by count and by total serialized bytes,
// the oldest evicted first; an orphan larger than max_tx_bytes is not kept
// at all; one older than max_age seconds is dropped by expire(). Nothing
// here validates: an orphan's signatures are unchecked until the Mempool
// tries it again, which is why the bounds are small. Each orphan carries the
// tag of the peer that sent it, so a later failure blames that peer.
//
// docs/protocol.md section 10 (Orphan transactions) states the policy.
//
// Thread-safety: none; owned by the Mempool and used only on its thread (in
// the node, the chain::ChainWorker that runs the chain state, never the network thread).
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/transaction.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace chainkit::chain {

struct OrphanPoolOptions {
    std::size_t max_count = 100;         // orphans kept at once (0: keep none)
    std::size_t max_bytes = 10'000'000;  // their total serialized size
    std::size_t max_tx_bytes = 100'000;  // a larger orphan is not kept
    std::int64_t max_age = 20 * 60;      // seconds an orphan may wait for its parent
};

struct OrphanTx {
    Transaction tx;
    TxId txid;
    PeerTag from = LOCAL_PEER;
    std::int64_t time = 0;  // the caller's clock when it arrived
    std::size_t size = 0;   // serialized bytes
    std::uint64_t sequence = 0;
};

class TxOrphanPool {
public:
    explicit TxOrphanPool(OrphanPoolOptions options = {}) : m_options(options) {}

    // Keeps `tx` (txid `txid`) from `from`, received at `now`, evicting the
    // oldest orphans until both bounds hold. False if it is already here or
    // larger than max_tx_bytes (or than max_bytes); nothing changes then.
    bool add(const Transaction& tx, const TxId& txid, PeerTag from, std::int64_t now);
    void erase(const TxId& txid);

    [[nodiscard]] bool contains(const TxId& txid) const { return m_orphans.contains(txid); }
    // Null if absent; valid until the pool next changes.
    [[nodiscard]] const OrphanTx* get(const TxId& txid) const;
    // Orphans with an input spending an output of `parent`, oldest first.
    [[nodiscard]] std::vector<TxId> children_of(const TxId& parent) const;
    [[nodiscard]] bool has_children(const TxId& parent) const;

    // Drops orphans that arrived more than max_age before `now`. Cheap when
    // none is due (it remembers the earliest deadline). Returns how many.
    std::size_t expire(std::int64_t now);
    // Drops the orphans `from` sent (the peer disconnected or was banned).
    std::size_t erase_from(PeerTag from);
    // Drops the orphans `block` confirms and those spending an output it
    // spends (they can never be valid on this chain). Returns how many.
    // `txids` are the block's, in order (the caller has them hashed); a list
    // of another length is ignored (hashed here).
    std::size_t erase_for_block(const Block& block, std::span<const TxId> txids);

    [[nodiscard]] std::size_t size() const noexcept { return m_orphans.size(); }
    [[nodiscard]] std::size_t bytes() const noexcept { return m_bytes; }
    [[nodiscard]] const OrphanPoolOptions& options() const noexcept { return m_options; }

private:
    void erase_oldest();

    OrphanPoolOptions m_options;
    std::unordered_map<TxId, OrphanTx, HashHasher> m_orphans;
    std::set<std::pair<TxId, TxId>> m_by_parent;  // (parent txid, orphan txid)
    std::map<std::uint64_t, TxId> m_by_age;       // arrival sequence -> orphan, oldest first
    std::size_t m_bytes = 0;
    std::uint64_t m_next_sequence = 0;
    std::int64_t m_next_expiry = std::numeric_limits<std::int64_t>::max();
};

}  // namespace chainkit::chain
