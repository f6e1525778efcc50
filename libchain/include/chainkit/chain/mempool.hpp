// The pool of valid unconfirmed transactions: what a node relays and mines.
//
// A transaction enters only after full validation against the chain's UTXO
// set plus the pool itself (a child may spend a parent that is still in the
// pool) at height tip+1, with every signature checked and a fee of at least
// min_fee_rate per byte. The pool is bounded by total serialized size: when
// full it evicts the lowest fee-rate transactions with their descendants.
// Refused transactions cost at most one UtxoView read per input. A child
// that arrives before its parent waits in a bounded orphan pool
// (tx_orphan_pool.hpp) and is tried again when the parent enters.
// docs/protocol.md section 10 (Mempool policy and block templates) states
// the policy.
//
// Thread-safety: none. The pool is owned by the chain thread (the node's
// ChainWorker), the same thread that runs the chain state and calls the
// observer methods.
#pragma once

#include "chainkit/chain/chain_observer.hpp"
#include "chainkit/chain/flat_hash_map.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/salted_hasher.hpp"
#include "chainkit/chain/sig_cache.hpp"
#include "chainkit/chain/transaction.hpp"
#include "chainkit/chain/tx_orphan_pool.hpp"
#include "chainkit/chain/utxo.hpp"
#include "chainkit/chain/validation.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace chainkit::chain {

// Fee per byte as an exact ratio, so equal rates compare equal.
struct FeeRate {
    Amount fee = 0;
    std::size_t size = 1;

    friend bool operator<(const FeeRate& a, const FeeRate& b) noexcept;
    friend bool operator==(const FeeRate& a, const FeeRate& b) noexcept;
};

struct MempoolEntry {
    Transaction tx;
    TxId txid;
    WtxId wtxid;  // hashed once on entry: compact blocks match pool transactions by it
    Amount fee = 0;
    std::size_t size = 0;            // serialized bytes
    std::vector<SpentOutput> spent;  // one per input: what it spends
    std::uint64_t sequence = 0;      // arrival order: parents before children

    [[nodiscard]] FeeRate fee_rate() const noexcept { return {fee, size}; }
};

// A pool transaction's input spending an output paying some key hash.
struct MempoolSpend {
    OutPoint prevout;
    SpentOutput spent;
    TxId spender;
};

// A pool transaction's output, not spent by another pool transaction.
struct MempoolOutput {
    OutPoint outpoint;
    TxOut out;
};

struct MempoolOptions {
    std::size_t max_bytes = 32'000'000;  // total serialized size of the pool
    // Txids of the last transactions confirmed while the pool watched, so a
    // late relay of one is `already_have` at no store read. ~120 bytes each
    // (a 56-byte slot in a table at most 3/4 full, 40 in the arrival queue).
    std::size_t recent_confirmed = 50'000;
    // Transactions refused as unknown_input wait here for their parent.
    OrphanPoolOptions orphans{};
};

// An orphan transaction tried again because its parent arrived: it entered
// the pool (ok: relay it) or was refused (the node applies
// peer_action(validation.reason) to `from`, the peer that sent it).
struct TxOrphanResult {
    TxId txid;
    PeerTag from = LOCAL_PEER;
    ValidationResult validation;
};

struct [[nodiscard]] TxAcceptResult {
    ValidationResult validation;  // the verdict on the offered transaction
    bool orphaned = false;        // unknown_input, and kept until its parent arrives
    // Orphans resolved because this transaction entered the pool, in the
    // order they were tried (parents before children).
    std::vector<TxOrphanResult> orphans;

    [[nodiscard]] bool ok() const noexcept { return validation.ok(); }
    explicit operator bool() const noexcept { return ok(); }
};

class Mempool final : public ChainObserver {
public:
    // `chain` is the committed UTXO set of the active chain (ChainState::utxo()),
    // which must outlive the pool, and `tip_height` the height of its tip.
    // Register the pool with ChainState::add_observer to keep it current.
    Mempool(const ConsensusParams& params, const UtxoView& chain, std::uint64_t tip_height,
            MempoolOptions options = {});

    // Validates `tx` and adds it, cheapest checks first: already_have (in
    // the pool, or among the last options.recent_confirmed confirmed txids),
    // coinbase_outside_block, the stateless reasons of check_transaction,
    // mempool_conflict (an input another pool transaction spends), the input
    // reasons of check_tx_inputs with unknown_input for an output neither
    // the chain nor the pool has (parent not seen yet, or already spent:
    // indistinguishable here), no_such_output for an index its pool parent
    // lacks, premature_spend for an immature coinbase; then fee_too_low,
    // mempool_full, bad_signature (checked last: the costliest). At most one
    // UtxoView read per input, none per output. A refused tx leaves the pool
    // unchanged. A coin read the store failed (UtxoView::read_error) is
    // storage_failure, a fault of this node: the transaction is neither
    // judged nor kept as an orphan, and the read error is cleared.
    //
    // Orphans: a transaction in the orphan pool is already_orphan (checked
    // first); one refused as unknown_input is kept there with `from` and
    // `now` (the caller's clock, seconds; only orphans use it) when it fits
    // (TxAcceptResult::orphaned). When a transaction enters the pool, the
    // orphans spending its outputs are tried again, and theirs in turn, each
    // at most once per parent arrival (so the work is bounded by the orphan
    // pool's bounds); those still missing a parent stay. When a transaction
    // is refused for a reason its txid commits to (peer_action reject, but
    // not bad_signature: a relay can alter a signature without changing the
    // txid), the orphans spending it are dropped. Orphans older than
    // orphans.max_age are expired on the way.
    TxAcceptResult accept(const Transaction& tx, PeerTag from = LOCAL_PEER, std::int64_t now = 0);

    // Orphans resolved by blocks (a connected block holding their parent;
    // tried at the tip change, when the UTXO view is current), oldest first,
    // since the last call. Keeps at most orphans.max_count unread results.
    [[nodiscard]] std::vector<TxOrphanResult> take_orphan_results();
    [[nodiscard]] const TxOrphanPool& orphans() const noexcept { return m_orphans; }
    std::size_t expire_orphans(std::int64_t now) { return m_orphans.expire(now); }
    // A peer disconnected or was banned: its orphans go.
    std::size_t erase_orphans_from(PeerTag from) { return m_orphans.erase_from(from); }

    [[nodiscard]] bool contains(const TxId& txid) const { return m_entries.contains(txid); }
    // Null if absent. Valid until the pool next changes.
    [[nodiscard]] const MempoolEntry* get(const TxId& txid) const;
    [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }
    [[nodiscard]] std::size_t bytes() const noexcept { return m_bytes; }
    [[nodiscard]] std::size_t max_bytes() const noexcept { return m_options.max_bytes; }
    [[nodiscard]] std::uint64_t tip_height() const noexcept { return m_tip_height; }
    // The pool transaction spending `o`, if any.
    [[nodiscard]] const TxId* spender_of(const OutPoint& o) const;

    // Every entry, parents before children (arrival order): relay and
    // templates walk this. Pointers are valid until the pool next changes.
    [[nodiscard]] std::vector<const MempoolEntry*> entries() const;
    // Every entry in no particular order, without entries()' sort: for
    // lookups by content (a compact block matches the pool by wtxid).
    template <class F>
    void for_each_entry(F&& f) const {
        for (const auto& [id, e] : m_entries) f(e);
    }
    // Pool transactions that `e` spends from, each once.
    [[nodiscard]] std::vector<TxId> parents_in_pool(const MempoolEntry& e) const;

    // Wallet queries: cost proportional to the pool transactions touching
    // the key hash. Spends of outputs paying `kh` (confirmed or not), and
    // unspent pool outputs paying `kh`.
    [[nodiscard]] std::vector<MempoolSpend> spends_of(const KeyHash& kh) const;
    [[nodiscard]] std::vector<MempoolOutput> outputs_to(const KeyHash& kh) const;

    // Notified with on_tx_accepted for each transaction accept() admits,
    // orphans it resolves included.
    void add_observer(ChainObserver* o) { m_observers.push_back(o); }
    // Every transaction whose signatures accept() verifies (orphans
    // included) is inserted into `cache`, for connect_block to skip them
    // (sig_cache.hpp); null (the default): none. Transactions put back by a
    // reorg are not verified again, so not inserted. Must outlive the pool.
    void set_sig_cache(SigCache* cache) noexcept { m_sig_cache = cache; }

    // ChainObserver. A connect removes the block's transactions and those
    // conflicting with its spends (with descendants). A disconnect sets the
    // block's transactions aside; at the next tip change (when the UTXO view
    // reflects the new tip) the pool is revalidated: the set-aside
    // transactions first, in chain order, then the previous pool entries
    // (or at the next accept(), should a reorg end without a tip change).
    void on_block_connected(const Block& block, std::uint64_t height, std::span<const TxId> txids) override;
    // `txids` of another length than the block's are ignored (hashed here).
    // The same, hashing the txids here (tests and callers outside a chain state).
    void on_block_connected(const Block& block, std::uint64_t height);
    void on_block_disconnected(const Block& block, std::uint64_t height) override;
    void on_tip_changed(const BlockHash& tip, std::uint64_t height) override;

private:
    // Key of the eviction order: lowest fee rate first, newest first on ties.
    struct RateKey {
        FeeRate rate;
        std::uint64_t sequence = 0;
        TxId txid;
        friend bool operator<(const RateKey& a, const RateKey& b) noexcept {
            if (a.rate < b.rate) return true;
            if (b.rate < a.rate) return false;
            if (a.sequence != b.sequence) return a.sequence > b.sequence;  // newest evicted first
            return a.txid < b.txid;
        }
    };

    ValidationResult accept_checked(const Transaction& tx, const TxId& txid, bool check_signatures);
    // Revalidates after a reorg, then tries the orphans of parents blocks brought.
    void settle();
    // Tries the orphans spending outputs of `parents` (and of those that then
    // enter), appending each outcome to `out`.
    void resolve_orphans(std::vector<TxId> parents, std::vector<TxOrphanResult>& out);
    void drop_orphans_of_invalid(const TxId& parent, const ValidationResult& why);
    ValidationResult pool_reason(const Transaction& tx, ValidationResult r) const;
    ValidationResult make_room(const MempoolEntry& e, std::vector<TxId>& evict) const;
    void insert(MempoolEntry e);
    void erase(const TxId& txid);
    // `roots` and every pool transaction spending from them, transitively.
    [[nodiscard]] std::vector<TxId> with_descendants(const std::vector<TxId>& roots) const;
    void remove_with_descendants(const std::vector<TxId>& roots);
    void revalidate_after_reorg();
    void remember_confirmed(const TxId& txid);

    ConsensusParams m_params;
    const UtxoView& m_chain;
    std::uint64_t m_tip_height;
    MempoolOptions m_options;

    std::unordered_map<TxId, MempoolEntry, HashHasher> m_entries;
    // Open addressing under a keyed hash: peers choose these keys, and a
    // block's removals are cold lookups (flat_hash_map.hpp).
    SaltedHasher m_hasher;
    FlatHashMap<OutPoint, TxId, SaltedHasher> m_spent_by{m_hasher};
    std::set<RateKey> m_by_rate;
    // Pool transactions touching each key hash: hashed sets, so a block's
    // hundreds of removals for one busy key stay O(1) each (wallet queries
    // sort what they read).
    std::unordered_map<KeyHash, FlatHashSet<TxId, SaltedHasher>, KeyHashHasher> m_by_key;
    [[nodiscard]] std::vector<TxId> txids_touching(const KeyHash& kh) const;
    std::size_t m_bytes = 0;
    std::uint64_t m_next_sequence = 0;

    // Transactions of disconnected blocks, newest block first, awaiting the
    // tip change that ends the reorg.
    // Bounded by max_bytes; m_reorg_pending stays set even if all are dropped.
    std::deque<std::vector<Transaction>> m_disconnected;
    std::size_t m_disconnected_bytes = 0;
    bool m_reorg_pending = false;
    std::vector<ChainObserver*> m_observers;
    SigCache* m_sig_cache = nullptr;

    // Recently confirmed txids -> arrival number, and arrival order (with
    // stale entries for txids a disconnect forgot); see remember_confirmed.
    FlatHashMap<TxId, std::uint64_t, SaltedHasher> m_recent{m_hasher};
    std::deque<std::pair<std::uint64_t, TxId>> m_recent_order;
    std::uint64_t m_recent_next = 0;

    TxOrphanPool m_orphans;
    // Confirmed txids with orphan children, awaiting the next tip change.
    std::vector<TxId> m_arrived_parents;
    std::deque<TxOrphanResult> m_orphan_results;  // see take_orphan_results
};

}  // namespace chainkit::chain
