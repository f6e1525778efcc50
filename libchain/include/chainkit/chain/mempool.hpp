// The pool of valid unconfirmed transactions: what a node relays and mines.
//
// A transaction enters only after full validation against the chain's UTXO
// set plus the pool itself (a child may spend a parent that is still in the
// pool) at height tip+1, with every signature checked and a fee of at least
// min_fee_rate per byte. The pool is bounded by total serialized size: when
// full it evicts the lowest fee-rate transactions with their descendants.
// docs/sections/mempool-protocol.md states the policy.
//
// Thread-safety: none. The pool is owned by the node's io_context thread,
// the same thread that runs the chain state and calls the observer methods.
#pragma once

#include "chainkit/chain/chain_observer.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/transaction.hpp"
#include "chainkit/chain/utxo.hpp"
#include "chainkit/chain/validation.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <unordered_map>
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
};

class Mempool final : public ChainObserver {
public:
    // `chain` is the committed UTXO set of the active chain (ChainState::utxo()),
    // which must outlive the pool, and `tip_height` the height of its tip.
    // Register the pool with ChainState::add_observer to keep it current.
    Mempool(const ConsensusParams& params, const UtxoView& chain, std::uint64_t tip_height,
            MempoolOptions options = {});

    // Validates `tx` and adds it. Reasons: already_have (in the pool or already
    // confirmed), coinbase_outside_block, the
    // stateless and input reasons of check_transaction / check_tx_inputs, with
    // unknown_input for an output neither the chain nor the pool has (parent
    // not seen yet, or already spent: indistinguishable here), no_such_output
    // for an index its pool parent lacks, premature_spend for an immature
    // coinbase; mempool_conflict (an input another pool transaction spends), fee_too_low,
    // mempool_full, bad_signature (checked last: the costliest). A refused tx leaves the pool unchanged.
    ValidationResult accept(const Transaction& tx);

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
    // Pool transactions that `e` spends from, each once.
    [[nodiscard]] std::vector<TxId> parents_in_pool(const MempoolEntry& e) const;

    // Wallet queries: cost proportional to the pool transactions touching
    // the key hash. Spends of outputs paying `kh` (confirmed or not), and
    // unspent pool outputs paying `kh`.
    [[nodiscard]] std::vector<MempoolSpend> spends_of(const KeyHash& kh) const;
    [[nodiscard]] std::vector<MempoolOutput> outputs_to(const KeyHash& kh) const;

    // Notified with on_tx_accepted for each transaction accept() admits.
    void add_observer(ChainObserver* o) { m_observers.push_back(o); }

    // ChainObserver. A connect removes the block's transactions and those
    // conflicting with its spends (with descendants). A disconnect sets the
    // block's transactions aside; at the next tip change (when the UTXO view
    // reflects the new tip) the pool is revalidated: the set-aside
    // transactions first, in chain order, then the previous pool entries
    // (or at the next accept(), should a reorg end without a tip change).
    void on_block_connected(const Block& block, std::uint64_t height) override;
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

    ValidationResult accept_checked(const Transaction& tx, bool check_signatures);
    ValidationResult pool_reason(const Transaction& tx, ValidationResult r) const;
    ValidationResult make_room(const MempoolEntry& e, std::vector<TxId>& evict) const;
    void insert(MempoolEntry e);
    void erase(const TxId& txid);
    // `roots` and every pool transaction spending from them, transitively.
    [[nodiscard]] std::vector<TxId> with_descendants(const std::vector<TxId>& roots) const;
    void remove_with_descendants(const std::vector<TxId>& roots);
    void revalidate_after_reorg();
    [[nodiscard]] std::vector<KeyHash> key_hashes_of(const MempoolEntry& e) const;

    ConsensusParams m_params;
    const UtxoView& m_chain;
    std::uint64_t m_tip_height;
    MempoolOptions m_options;

    std::unordered_map<TxId, MempoolEntry, HashHasher> m_entries;
    std::unordered_map<OutPoint, TxId, OutPointHasher> m_spent_by;
    std::set<RateKey> m_by_rate;
    std::set<std::pair<KeyHash, TxId>> m_by_key;
    std::size_t m_bytes = 0;
    std::uint64_t m_next_sequence = 0;

    // Transactions of disconnected blocks, newest block first, awaiting the
    // tip change that ends the reorg.
    // Bounded by max_bytes; m_reorg_pending stays set even if all are dropped.
    std::deque<std::vector<Transaction>> m_disconnected;
    std::size_t m_disconnected_bytes = 0;
    bool m_reorg_pending = false;
    std::vector<ChainObserver*> m_observers;
};

}  // namespace chainkit::chain
