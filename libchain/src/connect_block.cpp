// Contextual transaction checks and connecting/disconnecting a block
// against a UTXO view.
#include "chainkit/chain/check_queue.hpp"
#include "chainkit/chain/sig_cache.hpp"
#include "chainkit/chain/validation.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <unordered_set>

namespace chainkit::chain {

using R = RejectReason;

ValidationResult check_tx_inputs(const Transaction& tx, const UtxoView& view, std::uint64_t spend_height,
                                 const ConsensusParams& p, std::vector<SpentOutput>& spent, Amount& fee) {
    spent.clear();
    spent.reserve(tx.inputs.size());
    Amount in_total = 0;
    for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
        const auto& in = tx.inputs[i];
        const auto coin = view.get_coin(in.prevout);
        if (!coin)
            return ValidationResult::fail(R::missing_input,
                                          fmt::format("input {} spends {}:{} which is missing or spent", i,
                                                      in.prevout.txid.hex(), in.prevout.index));
        if (coin->coinbase && spend_height < coin->height + p.coinbase_maturity)
            return ValidationResult::fail(R::immature_coinbase_spend,
                                          fmt::format("input {} spends a coinbase of height {} before {} confirmations",
                                                      i, coin->height, p.coinbase_maturity));
        if (key_hash_of(in.pubkey) != coin->out.key_hash)
            return ValidationResult::fail(
                R::pubkey_mismatch, fmt::format("input {} public key does not hash to the spent output's key hash", i));
        in_total += coin->out.value;  // every stored value is in range
        if (!money_range(in_total)) return ValidationResult::fail(R::bad_output_value, "sum of inputs out of range");
        spent.push_back(SpentOutput{coin->out.value, coin->out.key_hash});
    }
    Amount out_total = 0;
    for (const auto& out : tx.outputs) out_total += out.value;  // check_transaction bounded it
    if (in_total < out_total)
        return ValidationResult::fail(R::inputs_below_outputs,
                                      fmt::format("inputs {} below outputs {}", in_total, out_total));
    fee = in_total - out_total;
    return ValidationResult::success();
}

ValidationResult check_tx_signatures(const Transaction& tx, const std::vector<SpentOutput>& spent) {
    return check_tx_signatures(tx, tx.txid(), spent);
}

ValidationResult check_tx_signatures(const Transaction& tx, const TxId& txid, const std::vector<SpentOutput>& spent) {
    return check_tx_signatures(tx, SignatureHasher(txid, spent));
}

ValidationResult check_tx_signatures(const Transaction& tx, const SignatureHasher& hasher) {
    for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
        const auto msg = hasher.hash(static_cast<std::uint32_t>(i));
        if (!verify_signature(tx.inputs[i].pubkey, msg, tx.inputs[i].signature))
            return ValidationResult::fail(R::bad_signature, fmt::format("input {} has an invalid signature", i));
    }
    return ValidationResult::success();
}

namespace {

// Where each queued signature came from, for the error message.
struct SigOrigin {
    std::size_t tx;
    std::size_t input;
};

// Signatures handed to the queue per lock acquisition while walking a block.
constexpr std::size_t PUBLISH_BATCH = 8;

}  // namespace

ValidationResult connect_block(const Block& b, std::uint64_t height, const ConsensusParams& p, UtxoCache& view,
                               BlockUndo& undo, SigCheckQueue* queue, const SigCache* cache,
                               std::span<const WtxId> wtxids, std::span<const TxId> txids) {
    if (b.txs.empty()) return ValidationResult::fail(R::no_coinbase, "block has no transactions");
    if (b.txs[0].coinbase_height() != height)
        return ValidationResult::fail(R::bad_coinbase_height, fmt::format("coinbase says height {}, block is at {}",
                                                                          b.txs[0].coinbase_height(), height));
    undo.spent.clear();
    std::vector<SigCheck> checks;
    std::vector<SigOrigin> origins;
    std::unordered_set<OutPoint, OutPointHasher> spent_here;
    std::size_t inputs = 0;
    for (const auto& tx : b.txs) inputs += tx.inputs.size();
    spent_here.reserve(inputs);
    undo.spent.reserve(inputs);
    std::vector<SpentOutput> spent;
    Amount fees = 0;
    // Workers verify signatures while this thread walks the rest of the
    // block (Bitcoin Core's CCheckQueueControl), so the serial work of
    // looking up coins and hashing overlaps the Ed25519 work.
    std::optional<SigCheckQueue::Session> session;
    if (queue) session.emplace(*queue);
    std::size_t published = 0;
    const bool have_txids = txids.size() == b.txs.size();
    for (std::size_t t = 0; t < b.txs.size(); ++t) {
        const auto& tx = b.txs[t];
        const TxId txid = have_txids ? txids[t] : tx.txid();
#ifndef NDEBUG
        if (have_txids && txid != tx.txid()) {
            std::fprintf(stderr, "connect_block: txid %zu is not the transaction's\n", t);
            std::abort();
        }
#endif
        if (t > 0) {
            for (const auto& in : tx.inputs) {
                if (!spent_here.insert(in.prevout).second)
                    return ValidationResult::fail(R::double_spend_in_block,
                                                  fmt::format("transaction {} spends {}:{} already spent in this block",
                                                              t, in.prevout.txid.hex(), in.prevout.index));
            }
            Amount fee = 0;
            if (auto r = check_tx_inputs(tx, view, height, p, spent, fee); !r) {
                r.message = fmt::format("transaction {}: {}", t, r.message);
                return r;
            }
            fees += fee;
            if (!money_range(fees)) return ValidationResult::fail(R::bad_output_value, "sum of fees out of range");
            const SignatureHasher hasher(txid, spent);
            // Verified when the pool took it: the key commits to the
            // signatures (wtxid) and to the outputs they sign (spent_hash).
            const bool verified =
                cache && cache->contains(
                             cache->key(wtxids.size() == b.txs.size() ? wtxids[t] : tx.wtxid(), hasher.spent_hash()));
            for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
                const auto& in = tx.inputs[i];
                if (!verified) {
                    checks.push_back(SigCheck{in.pubkey, hasher.hash(static_cast<std::uint32_t>(i)), in.signature});
                    origins.push_back(SigOrigin{t, i});
                }
                undo.spent.emplace_back(in.prevout, *view.spend_coin(in.prevout));
            }
            if (session && checks.size() - published >= PUBLISH_BATCH) {
                session->add(std::span(checks).subspan(published));
                published = checks.size();
            }
        }
        for (std::uint32_t o = 0; o < tx.outputs.size(); ++o)
            view.add_coin(OutPoint{txid, o}, Coin{tx.outputs[o], height, t == 0});
    }
    Amount coinbase_value = 0;
    for (const auto& out : b.txs[0].outputs) coinbase_value += out.value;
    const Amount allowed = block_subsidy(height, p) + fees;
    if (coinbase_value > allowed)
        return ValidationResult::fail(
            R::coinbase_too_large,
            fmt::format("coinbase pays {} where subsidy plus fees is {}", coinbase_value, allowed));

    std::optional<std::size_t> failure;
    if (session) {
        session->add(std::span(checks).subspan(published));
        failure = session->finish();
    } else {
        for (std::size_t i = 0; i < checks.size() && !failure; ++i)
            if (!verify_signature(checks[i].pubkey, checks[i].message, checks[i].signature)) failure = i;
    }
    if (failure)
        return ValidationResult::fail(R::bad_signature, fmt::format("transaction {} input {} has an invalid signature",
                                                                    origins[*failure].tx, origins[*failure].input));
    return ValidationResult::success();
}

ValidationResult check_genesis(const Block& b, const ConsensusParams& p, SigCheckQueue* queue) {
    if (auto r = check_block(b, p); !r) return r;
    if (!b.header.prev.is_zero())
        return ValidationResult::fail(R::unknown_parent, "a genesis block has no parent: prev must be zero");
    if (b.header.bits != p.pow_limit_bits)
        return ValidationResult::fail(R::bad_bits, fmt::format("a genesis block must have the network's easiest bits "
                                                               "{:08x}, not {:08x}",
                                                               p.pow_limit_bits, b.header.bits));
    MemoryUtxoSet empty;
    UtxoCache cache(empty);
    BlockUndo undo;
    return connect_block(b, 0, p, cache, undo, queue);
}

bool disconnect_block(const Block& b, const BlockUndo& undo, UtxoCache& view) {
    std::vector<TxId> txids;
    txids.reserve(b.txs.size());
    for (const auto& tx : b.txs) txids.push_back(tx.txid());
    return disconnect_block(b, txids, undo, view);
}

bool disconnect_block(const Block& b, std::span<const TxId> txids, const BlockUndo& undo, UtxoCache& view) {
    if (txids.size() != b.txs.size()) return false;
    bool clean = true;
    std::size_t undo_end = undo.spent.size();
    // Newest transaction first: remove its outputs, then restore what it
    // spent, so a spend of an output made earlier in the block unwinds right.
    for (std::size_t t = b.txs.size(); t-- > 0;) {
        const auto& tx = b.txs[t];
        for (std::uint32_t o = 0; o < tx.outputs.size(); ++o) {
            if (!view.spend_coin(OutPoint{txids[t], o})) clean = false;
        }
        if (t == 0) break;
        if (tx.inputs.size() > undo_end) return false;
        for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
            const auto& [outpoint, coin] = undo.spent[--undo_end];
            if (view.get_coin(outpoint)) clean = false;
            view.add_coin(outpoint, coin);
        }
    }
    return clean && undo_end == 0;
}

}  // namespace chainkit::chain
