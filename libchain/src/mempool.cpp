#include "chainkit/chain/mempool.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_set>

namespace chainkit::chain {

using R = RejectReason;

namespace {

// fee <= MAX_MONEY < 2^51 and size < 2^32: the cross products need 83 bits.
__extension__ using Wide = unsigned __int128;

Wide cross(Amount fee, std::size_t size) {
    return static_cast<Wide>(static_cast<std::uint64_t>(fee)) * size;
}

// The chain's UTXO set seen through the pool: outputs of pool transactions
// exist (at the next height, never coinbase) and outputs a pool transaction
// spends do not, so a new transaction can neither double-spend the pool
// silently nor miss a parent that is still unconfirmed.
class PoolView final : public UtxoView {
public:
    PoolView(const UtxoView& chain, const std::unordered_map<TxId, MempoolEntry, HashHasher>& entries,
             const FlatHashMap<OutPoint, TxId, SaltedHasher>& spent_by, std::uint64_t height)
        : m_chain(chain), m_entries(entries), m_spent_by(spent_by), m_height(height) {}

    [[nodiscard]] std::optional<Coin> get_coin(const OutPoint& o) const override {
        if (m_spent_by.contains(o)) return std::nullopt;
        if (auto it = m_entries.find(o.txid); it != m_entries.end()) {
            const auto& outs = it->second.tx.outputs;
            if (o.index >= outs.size()) return std::nullopt;
            return Coin{outs[o.index], m_height, false};
        }
        return m_chain.get_coin(o);
    }

private:
    const UtxoView& m_chain;
    const std::unordered_map<TxId, MempoolEntry, HashHasher>& m_entries;
    const FlatHashMap<OutPoint, TxId, SaltedHasher>& m_spent_by;
    std::uint64_t m_height;
};

// Calls `f` once per distinct key hash `e` touches (the outputs it spends
// and its own): without an allocation for the usual handful, sorted past it.
template <class F>
void for_each_key_hash(const MempoolEntry& e, F&& f) {
    constexpr std::size_t FEW = 8;
    if (e.spent.size() + e.tx.outputs.size() <= FEW) {
        std::array<const KeyHash*, FEW> seen{};
        std::size_t n = 0;
        const auto visit = [&](const KeyHash& kh) {
            for (std::size_t i = 0; i < n; ++i)
                if (*seen[i] == kh) return;
            seen[n++] = &kh;
            f(kh);
        };
        for (const auto& s : e.spent) visit(s.key_hash);
        for (const auto& o : e.tx.outputs) visit(o.key_hash);
        return;
    }
    std::vector<KeyHash> all;
    all.reserve(e.spent.size() + e.tx.outputs.size());
    for (const auto& s : e.spent) all.push_back(s.key_hash);
    for (const auto& o : e.tx.outputs) all.push_back(o.key_hash);
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    for (const auto& kh : all) f(kh);
}

}  // namespace

bool operator<(const FeeRate& a, const FeeRate& b) noexcept {
    return cross(a.fee, b.size) < cross(b.fee, a.size);
}
bool operator==(const FeeRate& a, const FeeRate& b) noexcept {
    return cross(a.fee, b.size) == cross(b.fee, a.size);
}

Mempool::Mempool(const ConsensusParams& params, const UtxoView& chain, std::uint64_t tip_height, MempoolOptions options)
    : m_params(params), m_chain(chain), m_tip_height(tip_height), m_options(options), m_orphans(options.orphans) {}

// check_tx_inputs speaks for a block, where an absent or immature coin is a
// consensus failure. For a loose transaction the sender may only see another
// tip, so name what the pool can tell apart (validation.hpp).
ValidationResult Mempool::pool_reason(const Transaction& tx, ValidationResult r) const {
    if (r.reason == R::immature_coinbase_spend) {
        r.reason = R::premature_spend;
        return r;
    }
    if (r.reason != R::missing_input) return r;
    // Outputs spent by the pool were refused before as mempool_conflict, so
    // an absent output of a pool parent is one its parent never had.
    for (const auto& in : tx.inputs) {
        const auto it = m_entries.find(in.prevout.txid);
        if (it != m_entries.end() && in.prevout.index >= it->second.tx.outputs.size())
            return ValidationResult::fail(R::no_such_output,
                                          fmt::format("spends {}:{}, an output its pool parent does not have",
                                                      in.prevout.txid.hex(), in.prevout.index));
    }
    r.reason = R::unknown_input;
    return r;
}

// Cheapest first: in-memory lookups, then stateless checks, then one store
// read per input (stopping at the first missing one), then the fee. No check
// reads per output: a flood of refused many-output transactions costs the
// store no more than their inputs (issue 10, section 6).
ValidationResult Mempool::accept_checked(const Transaction& tx, const TxId& txid, bool check_signatures) {
    if (m_entries.contains(txid))
        return ValidationResult::fail(R::already_have,
                                      fmt::format("transaction {} is already in the pool", txid.hex()));
    // Without this, a transaction confirmed recently would report its spent
    // inputs as missing, which hides the real cause from the sender. Older
    // ones do (finding them would cost a read per output).
    if (m_recent.contains(txid))
        return ValidationResult::fail(R::already_have, fmt::format("transaction {} is already confirmed", txid.hex()));
    if (tx.is_coinbase())
        return ValidationResult::fail(R::coinbase_outside_block,
                                      "a coinbase is valid only as the first transaction of a block");
    if (auto r = check_transaction(tx, m_params); !r) return r;
    for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
        const auto& prev = tx.inputs[i].prevout;
        if (const TxId* spender = m_spent_by.find(prev))
            return ValidationResult::fail(R::mempool_conflict,
                                          fmt::format("input {} spends {}:{} already spent by pool transaction {}", i,
                                                      prev.txid.hex(), prev.index, spender->hex()));
    }
    MempoolEntry e;
    const PoolView view(m_chain, m_entries, m_spent_by, m_tip_height + 1);
    if (auto r = check_tx_inputs(tx, view, m_tip_height + 1, m_params, e.spent, e.fee); !r) {
        // A coin the store could not read looks absent: a fault of this
        // node, never a verdict on the transaction (nor an orphan). Cleared
        // here, as reported: the caller decides whether to retry.
        if (auto fault = m_chain.read_error()) {
            m_chain.clear_read_error();
            return ValidationResult::fail(R::storage_failure, "storage failure reading an input: " + fault->message);
        }
        return pool_reason(tx, std::move(r));
    }
    e.size = tx.serialized_size();
    // size <= max_block_size and min_fee_rate is a small policy number.
    const Amount required = m_params.min_fee_rate * static_cast<Amount>(e.size);
    if (e.fee < required)
        return ValidationResult::fail(R::fee_too_low, fmt::format("fee {} below {} for {} bytes at {} per byte", e.fee,
                                                                  required, e.size, m_params.min_fee_rate));
    e.tx = tx;
    e.txid = txid;
    e.wtxid = tx.wtxid();
    std::vector<TxId> evict;
    if (auto r = make_room(e, evict); !r) return r;
    // Signatures last: the costliest check is spent only on a transaction
    // that would otherwise enter.
    if (check_signatures) {
        const SignatureHasher hasher(txid, e.spent);
        if (auto r = check_tx_signatures(tx, hasher); !r) return r;
        if (m_sig_cache) m_sig_cache->insert(m_sig_cache->key(e.wtxid, hasher.spent_hash()));
    }
    remove_with_descendants(evict);
    insert(std::move(e));
    return ValidationResult::success();
}

// Chooses what to evict so that `e` fits, without changing the pool: the
// lowest fee-rate entries with their descendants, as long as each is below
// `e`'s own rate and none is an ancestor `e` needs.
ValidationResult Mempool::make_room(const MempoolEntry& e, std::vector<TxId>& evict) const {
    if (e.size > m_options.max_bytes)
        return ValidationResult::fail(R::mempool_full, fmt::format("transaction of {} bytes exceeds the pool limit {}",
                                                                   e.size, m_options.max_bytes));
    if (m_bytes + e.size <= m_options.max_bytes) return ValidationResult::success();
    std::unordered_set<TxId, HashHasher> needed;  // e's in-pool ancestors
    for (std::vector<TxId> todo = parents_in_pool(e); !todo.empty();) {
        const TxId id = todo.back();
        todo.pop_back();
        if (!needed.insert(id).second) continue;
        for (const auto& p : parents_in_pool(m_entries.at(id))) todo.push_back(p);
    }
    std::unordered_set<TxId, HashHasher> chosen;
    std::size_t freed = 0;
    for (auto it = m_by_rate.begin(); m_bytes - freed + e.size > m_options.max_bytes; ++it) {
        if (it != m_by_rate.end() && chosen.contains(it->txid)) continue;  // a descendant already chosen
        if (it == m_by_rate.end() || !(it->rate < e.fee_rate()) || needed.contains(it->txid))
            return ValidationResult::fail(
                R::mempool_full,
                fmt::format("pool full: fee rate {}/{} does not beat the lowest pool entries", e.fee, e.size));
        for (const auto& id : with_descendants({it->txid})) {
            if (needed.contains(id))
                return ValidationResult::fail(R::mempool_full,
                                              "pool full: making room would evict an ancestor of the transaction");
            if (chosen.insert(id).second) freed += m_entries.at(id).size;
        }
        evict.push_back(it->txid);
    }
    return ValidationResult::success();
}

void Mempool::insert(MempoolEntry e) {
    e.sequence = m_next_sequence++;
    for (const auto& in : e.tx.inputs) m_spent_by.try_emplace(in.prevout, e.txid);
    m_by_rate.insert(RateKey{e.fee_rate(), e.sequence, e.txid});
    for_each_key_hash(e, [&](const KeyHash& kh) { m_by_key.try_emplace(kh, m_hasher).first->second.insert(e.txid); });
    m_bytes += e.size;
    const TxId id = e.txid;
    m_entries.emplace(id, std::move(e));
}

void Mempool::erase(const TxId& txid) {
    const auto it = m_entries.find(txid);
    if (it == m_entries.end()) return;
    const auto& e = it->second;
    for (const auto& in : e.tx.inputs) {
        if (const TxId* s = m_spent_by.find(in.prevout); s && *s == txid) m_spent_by.erase(in.prevout);
    }
    m_by_rate.erase(RateKey{e.fee_rate(), e.sequence, txid});
    for_each_key_hash(e, [&](const KeyHash& kh) {
        if (auto k = m_by_key.find(kh); k != m_by_key.end()) {
            k->second.erase(txid);
            if (k->second.empty()) m_by_key.erase(k);
        }
    });
    m_bytes -= e.size;
    m_entries.erase(it);
}

std::vector<TxId> Mempool::with_descendants(const std::vector<TxId>& roots) const {
    std::vector<TxId> out;
    std::unordered_set<TxId, HashHasher> seen;
    std::vector<TxId> todo = roots;
    while (!todo.empty()) {  // iterative: a long chain must not exhaust the stack
        const TxId id = todo.back();
        todo.pop_back();
        const auto it = m_entries.find(id);
        if (it == m_entries.end() || !seen.insert(id).second) continue;
        out.push_back(id);
        for (std::uint32_t i = 0; i < it->second.tx.outputs.size(); ++i) {
            if (const TxId* s = m_spent_by.find(OutPoint{id, i})) todo.push_back(*s);
        }
    }
    return out;
}

void Mempool::remove_with_descendants(const std::vector<TxId>& roots) {
    for (const auto& id : with_descendants(roots)) erase(id);
}

const MempoolEntry* Mempool::get(const TxId& txid) const {
    const auto it = m_entries.find(txid);
    return it == m_entries.end() ? nullptr : &it->second;
}

const TxId* Mempool::spender_of(const OutPoint& o) const {
    return m_spent_by.find(o);
}

std::vector<const MempoolEntry*> Mempool::entries() const {
    std::vector<const MempoolEntry*> out;
    out.reserve(m_entries.size());
    for (const auto& [id, e] : m_entries) out.push_back(&e);
    std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->sequence < b->sequence; });
    return out;
}

std::vector<TxId> Mempool::parents_in_pool(const MempoolEntry& e) const {
    std::vector<TxId> out;
    for (const auto& in : e.tx.inputs) {
        if (m_entries.contains(in.prevout.txid) && std::find(out.begin(), out.end(), in.prevout.txid) == out.end())
            out.push_back(in.prevout.txid);
    }
    return out;
}

std::vector<TxId> Mempool::txids_touching(const KeyHash& kh) const {
    std::vector<TxId> ids;
    if (auto k = m_by_key.find(kh); k != m_by_key.end()) {
        ids.reserve(k->second.size());
        k->second.for_each([&](const TxId& id) { ids.push_back(id); });
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<MempoolSpend> Mempool::spends_of(const KeyHash& kh) const {
    std::vector<MempoolSpend> out;
    for (const auto& id : txids_touching(kh)) {
        const auto& e = m_entries.at(id);
        for (std::size_t i = 0; i < e.tx.inputs.size(); ++i) {
            if (e.spent[i].key_hash == kh) out.push_back(MempoolSpend{e.tx.inputs[i].prevout, e.spent[i], e.txid});
        }
    }
    return out;
}

std::vector<MempoolOutput> Mempool::outputs_to(const KeyHash& kh) const {
    std::vector<MempoolOutput> out;
    for (const auto& id : txids_touching(kh)) {
        const auto& e = m_entries.at(id);
        for (std::uint32_t i = 0; i < e.tx.outputs.size(); ++i) {
            const OutPoint o{e.txid, i};
            if (e.tx.outputs[i].key_hash == kh && !m_spent_by.contains(o))
                out.push_back(MempoolOutput{o, e.tx.outputs[i]});
        }
    }
    return out;
}

}  // namespace chainkit::chain
