#include "chainkit/chain/validation.hpp"

#include "chainkit/chain/merkle.hpp"
#include "chainkit/chain/pow.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <span>
#include <unordered_set>
#include <vector>

namespace chainkit::chain {

using R = RejectReason;

std::string_view to_string(RejectReason r) {
    switch (r) {
        case R::ok:
            return "ok";
        case R::block_too_large:
            return "block-too-large";
        case R::bad_pow:
            return "bad-pow";
        case R::body_mutated:
            return "body-mutated";
        case R::no_coinbase:
            return "no-coinbase";
        case R::multiple_coinbase:
            return "multiple-coinbase";
        case R::duplicate_tx:
            return "duplicate-tx";
        case R::tx_no_inputs:
            return "tx-no-inputs";
        case R::tx_no_outputs:
            return "tx-no-outputs";
        case R::tx_too_large:
            return "tx-too-large";
        case R::bad_output_value:
            return "bad-output-value";
        case R::output_sum_overflow:
            return "output-sum-overflow";
        case R::duplicate_input:
            return "duplicate-input";
        case R::null_prevout:
            return "null-prevout";
        case R::bad_coinbase_data:
            return "bad-coinbase-data";
        case R::bad_coinbase_height:
            return "bad-coinbase-height";
        case R::missing_input:
            return "missing-input";
        case R::double_spend_in_block:
            return "double-spend-in-block";
        case R::pubkey_mismatch:
            return "pubkey-mismatch";
        case R::bad_signature:
            return "bad-signature";
        case R::inputs_below_outputs:
            return "inputs-below-outputs";
        case R::immature_coinbase_spend:
            return "immature-coinbase-spend";
        case R::coinbase_too_large:
            return "coinbase-too-large";
        case R::time_too_old:
            return "time-too-old";
        case R::time_too_new:
            return "time-too-new";
        case R::bad_bits:
            return "bad-bits";
        case R::unknown_parent:
            return "unknown-parent";
        case R::invalid_parent:
            return "invalid-parent";
        case R::known_invalid:
            return "known-invalid";
        case R::already_have:
            return "already-have";
        case R::already_orphan:
            return "already-orphan";
        case R::unknown_input:
            return "unknown-input";
        case R::no_such_output:
            return "no-such-output";
        case R::premature_spend:
            return "premature-spend";
        case R::fee_too_low:
            return "fee-too-low";
        case R::mempool_conflict:
            return "mempool-conflict";
        case R::mempool_full:
            return "mempool-full";
        case R::coinbase_outside_block:
            return "coinbase-outside-block";
        case R::storage_failure:
            return "storage-failure";
    }
    return "unknown";
}

bool may_be_mutated(RejectReason r) noexcept {
    // Only the root check tells a body from its header: once the root over
    // the wtxids matches without a repeated subtree, the body is the one the
    // header commits to, byte for byte.
    return r == R::body_mutated;
}

ValidationResult check_transaction(const Transaction& tx, const ConsensusParams& p) {
    if (tx.inputs.empty()) return ValidationResult::fail(R::tx_no_inputs, "transaction has no inputs");
    if (tx.outputs.empty()) return ValidationResult::fail(R::tx_no_outputs, "transaction has no outputs");
    if (tx.serialized_size() > p.max_block_size)
        return ValidationResult::fail(
            R::tx_too_large, fmt::format("transaction of {} bytes exceeds the block size limit", tx.serialized_size()));
    Amount total = 0;
    for (std::size_t i = 0; i < tx.outputs.size(); ++i) {
        const Amount v = tx.outputs[i].value;
        if (!money_range(v))
            return ValidationResult::fail(R::bad_output_value,
                                          fmt::format("output {} has value {} out of range", i, v));
        total += v;  // both terms <= MAX_MONEY: cannot overflow int64
        if (!money_range(total))
            return ValidationResult::fail(R::output_sum_overflow, "sum of outputs exceeds the money supply");
    }
    if (tx.is_coinbase()) {
        for (auto b : tx.inputs[0].signature)
            if (b != 0) return ValidationResult::fail(R::bad_coinbase_data, "coinbase signature field must be zero");
        return ValidationResult::success();
    }
    std::set<OutPoint> seen;
    for (const auto& in : tx.inputs) {
        if (in.prevout.is_null())
            return ValidationResult::fail(R::null_prevout, "non-coinbase input spends the null outpoint");
        if (!seen.insert(in.prevout).second)
            return ValidationResult::fail(R::duplicate_input, fmt::format("input {}:{} spent twice in one transaction",
                                                                          in.prevout.txid.hex(), in.prevout.index));
    }
    return ValidationResult::success();
}

ValidationResult check_block_header(const BlockHeader& h, const ConsensusParams& p) {
    if (!check_proof_of_work(h.hash(), h.bits, p.pow_limit))
        return ValidationResult::fail(
            R::bad_pow, fmt::format("block {} does not meet its target (bits {:08x})", h.hash().hex(), h.bits));
    return ValidationResult::success();
}

namespace {

// check_block after the header's proof of work, with the leaves hashed.
ValidationResult check_block_body(const Block& b, const ConsensusParams& p, std::span<const WtxId> leaves) {
    // The root first: any failure found before it could be a relay's edit
    // of a valid block, and would have to be reported as a mutation.
    bool mutated = false;
    if (merkle_root(leaves, &mutated) != b.header.merkle_root)
        return ValidationResult::fail(R::body_mutated, "merkle root does not match the transactions");
    if (mutated) return ValidationResult::fail(R::body_mutated, "transaction list repeats a subtree (CVE-2012-2459)");
    if (b.txs.empty() || !b.txs[0].is_coinbase())
        return ValidationResult::fail(R::no_coinbase, "first transaction is not a coinbase");
    const std::size_t size = b.serialized_size();
    if (size > p.max_block_size)
        return ValidationResult::fail(R::block_too_large,
                                      fmt::format("block of {} bytes exceeds {}", size, p.max_block_size));
    // Duplicates by wtxid: the leaves are already hashed, and two entries
    // with one txid but other signatures spend the same inputs, which
    // connect_block refuses as double-spend-in-block (a coinbase cannot
    // repeat: a second one is refused just below).
    std::unordered_set<WtxId, HashHasher> seen;
    seen.reserve(b.txs.size());
    for (std::size_t i = 0; i < b.txs.size(); ++i) {
        const auto& tx = b.txs[i];
        if (i > 0 && tx.is_coinbase())
            return ValidationResult::fail(R::multiple_coinbase, fmt::format("transaction {} is a second coinbase", i));
        if (!seen.insert(leaves[i]).second)
            return ValidationResult::fail(R::duplicate_tx,
                                          fmt::format("transaction {} repeats an earlier transaction", i));
        if (auto r = check_transaction(tx, p); !r) {
            r.message = fmt::format("transaction {}: {}", i, r.message);
            return r;
        }
    }
    return ValidationResult::success();
}

}  // namespace

ValidationResult check_block(const Block& b, const ConsensusParams& p, std::vector<WtxId>* wtxids) {
    // Proof of work before hashing the body: a cheap refusal for junk.
    if (auto r = check_block_header(b.header, p); !r) return r;
    std::vector<WtxId> leaves;
    leaves.reserve(b.txs.size());
    for (const auto& tx : b.txs) leaves.push_back(tx.wtxid());
    auto r = check_block_body(b, p, leaves);
    if (r && wtxids) *wtxids = std::move(leaves);
    return r;
}

ValidationResult check_block_hashed(const Block& b, const ConsensusParams& p, std::span<const WtxId> wtxids) {
    if (wtxids.size() != b.txs.size()) return check_block(b, p);
#ifndef NDEBUG
    for (std::size_t i = 0; i < wtxids.size(); ++i)
        if (wtxids[i] != b.txs[i].wtxid()) {
            std::fprintf(stderr, "check_block_hashed: wtxid %zu is not the transaction's\n", i);
            std::abort();
        }
#endif
    if (auto r = check_block_header(b.header, p); !r) return r;
    return check_block_body(b, p, wtxids);
}

ValidationResult check_header_contextual(const BlockHeader& h, const HeaderContext& ctx, const ConsensusParams& p) {
    if (h.bits != ctx.expected_bits)
        return ValidationResult::fail(
            R::bad_bits, fmt::format("bits {:08x} where the retarget rule requires {:08x}", h.bits, ctx.expected_bits));
    if (h.time <= ctx.median_time_past)
        return ValidationResult::fail(
            R::time_too_old, fmt::format("time {} not above median time past {}", h.time, ctx.median_time_past));
    if (h.time > ctx.now + p.max_future_drift)
        return ValidationResult::fail(R::time_too_new, fmt::format("time {} more than {} s ahead of local time {}",
                                                                   h.time, p.max_future_drift, ctx.now));
    return ValidationResult::success();
}

}  // namespace chainkit::chain
