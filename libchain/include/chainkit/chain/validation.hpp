// Consensus checks. Nothing here throws or reads a clock: every check
// returns a ValidationResult naming the rule broken, and the network layer
// maps reasons to ignore / disconnect / ban.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/utxo.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::chain {

class SigCheckQueue;
class SigCache;

enum class RejectReason {
    ok = 0,
    // block, stateless
    block_too_large,
    bad_pow,
    // The body does not match its header: the merkle root over the wtxids
    // differs, or the list repeats a subtree to reach the same root
    // (CVE-2012-2459). A relay can do this to any valid block without
    // redoing its proof of work, so it never marks the hash invalid.
    body_mutated,
    no_coinbase,
    multiple_coinbase,
    duplicate_tx,
    // transaction, stateless
    tx_no_inputs,
    tx_no_outputs,
    tx_too_large,
    bad_output_value,
    output_sum_overflow,
    duplicate_input,
    null_prevout,       // a non-coinbase input spending the null outpoint
    bad_coinbase_data,  // coinbase signature field not zero
    // contextual
    bad_coinbase_height,
    // A block input spends an output absent from the UTXO set at that point
    // of the chain. The UTXO set alone cannot tell "never created" from
    // "already spent" (spent coins are erased), and for a block either is a
    // consensus failure. The mempool reports unknown_input / no_such_output.
    missing_input,
    double_spend_in_block,  // two txs of one block spend the same output
    pubkey_mismatch,        // key does not hash to the spent output's key hash
    bad_signature,
    inputs_below_outputs,
    immature_coinbase_spend,
    coinbase_too_large,
    time_too_old,  // not above the median time past
    time_too_new,  // beyond the allowed future drift
    bad_bits,      // not what the retarget rule requires
    // chain state and mempool (used by libchain's ChainState and Mempool)
    unknown_parent,
    invalid_parent,
    known_invalid,   // block or header previously found invalid (or a descendant of one)
    already_have,    // block already stored; transaction already in the pool or confirmed
    already_orphan,  // block already waiting in the orphan pool
    // Mempool: an input's output is neither in the chain's UTXO set nor made
    // by a pool transaction. Its parent may not have arrived yet, or a block
    // may already have spent it: without a transaction index the two look
    // the same, so the sender is not at fault (an orphan-transaction pool
    // keys off this reason).
    unknown_input,
    // Mempool: the parent is a pool transaction but has no output at that
    // index; the txid commits to the outputs, so the spend is never valid.
    no_such_output,
    // Mempool: spends a coinbase that is not mature at the next block; a
    // peer whose tip is ahead may see it mature (a block holding it is
    // immature_coinbase_spend).
    premature_spend,
    fee_too_low,
    mempool_conflict,
    mempool_full,
    coinbase_outside_block,  // a coinbase offered to the mempool: only a block may hold one
    storage_failure,         // the node could not store or read chain data (not the block's fault)
};
// One past the last enumerator: tests walk 0 .. REJECT_REASON_COUNT - 1 and
// check that to_string(REJECT_REASON_COUNT) is "unknown", so an enumerator
// added without bumping this fails them.
inline constexpr int REJECT_REASON_COUNT = static_cast<int>(RejectReason::storage_failure) + 1;

[[nodiscard]] std::string_view to_string(RejectReason r);

struct [[nodiscard]] ValidationResult {
    RejectReason reason = RejectReason::ok;
    std::string message;

    [[nodiscard]] bool ok() const noexcept { return reason == RejectReason::ok; }
    explicit operator bool() const noexcept { return ok(); }
    static ValidationResult success() { return {}; }
    static ValidationResult fail(RejectReason r, std::string msg) { return {r, std::move(msg)}; }
};

// True for failures that say nothing about the block hash itself (the bytes
// may have been mutated in transit), so the hash must not be marked invalid.
// Every other failure of a block whose body passed check_block's root check
// is one the header commits to.
[[nodiscard]] bool may_be_mutated(RejectReason r) noexcept;

// Stateless: shape, value ranges, sums, duplicate inputs, size.
ValidationResult check_transaction(const Transaction& tx, const ConsensusParams& p);
// Stateless: proof of work against the header's own bits and pow_limit.
ValidationResult check_block_header(const BlockHeader& h, const ConsensusParams& p);
// Stateless: header, merkle root over the wtxids (with mutation) first, so
// every later failure is one the header commits to; then size, coinbase
// first and only, unique txids, every transaction's shape. `wtxids`, when
// given, receives every transaction's wtxid (hashed here for the root) so
// connect_block need not hash them again; on failure its content is unspecified.
ValidationResult check_block(const Block& b, const ConsensusParams& p, std::vector<WtxId>* wtxids = nullptr);
// check_block with the wtxids already hashed: one per transaction, in order,
// each hashed by the caller from that very transaction (a mempool entry's,
// a compact block's rebuild). The root and duplicate checks take them as
// given, so a wrong list would be a wrong verdict: builds without NDEBUG
// hash every transaction again and abort on a difference. A list of another
// length is ignored (hashed here).
ValidationResult check_block_hashed(const Block& b, const ConsensusParams& p, std::span<const WtxId> wtxids);

// What the chain says about the parent of a new header.
struct HeaderContext {
    std::uint64_t height = 0;           // height of the new block
    std::int64_t median_time_past = 0;  // of the parent's chain
    std::uint32_t expected_bits = 0;    // next_bits() of the parent's chain
    std::int64_t now = 0;               // local time, adjusted; a parameter, never read here
};
ValidationResult check_header_contextual(const BlockHeader& h, const HeaderContext& ctx, const ConsensusParams& p);

// Inputs of one non-coinbase transaction against `view` at `spend_height`:
// existence, maturity, key hash match, value sums. Fills `spent` (one per
// input, for the signature hash) and `fee`. Signatures are not checked here.
ValidationResult check_tx_inputs(const Transaction& tx, const UtxoView& view, std::uint64_t spend_height,
                                 const ConsensusParams& p, std::vector<SpentOutput>& spent, Amount& fee);
// All signatures of one transaction, on the calling thread.
ValidationResult check_tx_signatures(const Transaction& tx, const std::vector<SpentOutput>& spent);
// The same with `txid` == tx.txid() already computed (the mempool has it),
// so the transaction is not hashed again.
ValidationResult check_tx_signatures(const Transaction& tx, const TxId& txid, const std::vector<SpentOutput>& spent);
// The same with the hasher already built (the mempool keeps it for the
// signature cache's key).
ValidationResult check_tx_signatures(const Transaction& tx, const SignatureHasher& hasher);

// Connects a block that passed check_block and check_header_contextual to
// `view` at `height`: spends inputs, adds outputs, checks every input and the
// coinbase value, and verifies all signatures on `queue` (all cores) or on
// the calling thread when `queue` is null. A transaction found in `cache`
// (keyed by its wtxid and the outputs it spends, sig_cache.hpp) has its
// signatures skipped, nothing else; connect_block never inserts. `wtxids` is
// empty or one per transaction, as check_block gave them (else they are
// hashed here again); `txids` likewise, hashed by the caller from these
// very transactions (the chain state needs them for its observers, a
// mempool entry has its own): they name the outputs the block creates, so
// builds without NDEBUG hash again and abort on a difference. On failure
// `view` and `undo` are in an unspecified state: the caller discards them.
ValidationResult connect_block(const Block& b, std::uint64_t height, const ConsensusParams& p, UtxoCache& view,
                               BlockUndo& undo, SigCheckQueue* queue = nullptr, const SigCache* cache = nullptr,
                               std::span<const WtxId> wtxids = {}, std::span<const TxId> txids = {});

// A block that can start a chain: check_block, a zero parent, the network's
// easiest bits (pow_limit_bits), and a coinbase that connects at height 0 to
// an empty UTXO set. ChainState::create and genesis-file imports share it.
ValidationResult check_genesis(const Block& b, const ConsensusParams& p, SigCheckQueue* queue = nullptr);

// Reverses connect_block with its undo data. False if the view does not
// match the block (the database is corrupt).
[[nodiscard]] bool disconnect_block(const Block& b, const BlockUndo& undo, UtxoCache& view);
// The same with txids[i] == b.txs[i].txid() already computed (the caller
// needs them too); false as well if their count differs from the block's.
[[nodiscard]] bool disconnect_block(const Block& b, std::span<const TxId> txids, const BlockUndo& undo,
                                    UtxoCache& view);

}  // namespace chainkit::chain
