// The node's chain state: the block tree, the active (most-work valid)
// chain and the committed UTXO set, behind a ChainStore.
//
// Blocks and headers are accepted in any order. A block whose parent is
// unknown waits in a bounded orphan pool (oldest evicted first; bounds
// MAX_ORPHAN_BLOCKS and MAX_ORPHAN_BYTES, src/orphan_blocks.hpp) and is
// connected when the parent arrives. The active chain is the valid chain
// with the most cumulative work (pow.hpp block_work); equal work keeps the
// first seen. A heavier branch triggers a reorg: disconnect to the fork
// with undo data, connect the branch; a block that fails marks itself and
// its descendants invalid and the state returns to the best valid chain.
// Each activation step (its disconnects and up to MAX_CONNECTS_PER_STEP
// connects, UTXO changes, undo data, index status and tip) is one atomic
// store batch, so a crash leaves the state of some complete step.
//
// Only failures the header commits to mark a block failed: a body that does
// not match its header is body_mutated and leaves the hash acceptable, and a
// storage fault (a failed read or write, an undecodable record, including
// a coin read reported through UtxoView::read_error) is returned as an error
// (accept_block: storage_failure) and never changes a block's status. Each
// activation step first clears a read error left by an earlier reader (e.g.
// a mempool check), so a fault no longer present does not fail later steps.
//
// Headers-first sync (accept_headers, best_header, blocks_to_download,
// header_locator, headers_after) is implemented in chain_state_headers.cpp;
// its low-work defence and bound are described in low_work_headers.hpp.
// Reorgs are streamed: one activation step disconnects at most
// MAX_DISCONNECTS_PER_STEP blocks, so a reorg of any depth holds at most
// MAX_DISCONNECTS_PER_STEP + MAX_CONNECTS_PER_STEP blocks in memory.
//
// Thread-safety: none. A ChainState is used by one thread at a time, and
// the node uses it only from jobs of its ChainWorker (chain_worker.hpp),
// never from the network thread: a reorg, RocksDB writes and signature checks
// (the SigCheckQueue's finish() joins on its caller, the worker) then delay
// no ping. Observers and the log callback run synchronously on that thread;
// whatever they hand to the network they must post. Time is always a
// parameter: no clock is read here.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/block_index.hpp"
#include "chainkit/chain/chain_observer.hpp"
#include "chainkit/chain/chain_store.hpp"
#include "chainkit/chain/low_work_headers.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/result.hpp"
#include "chainkit/chain/validation.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chainkit::chain {

class SigCheckQueue;
class SigCache;
class OrphanBlocks;

// Error category for chain-state and storage failures (not consensus
// rejections, which are ValidationResults).
enum class ChainError {
    ok = 0,
    not_initialized = 1,  // load() on an empty store
    already_initialized,  // create() on a store that holds a chain
    wrong_network,        // the store belongs to another network (magic)
    wrong_schema,         // the store was written by another schema version
    wrong_genesis,        // create() with a genesis other than the stored one
    bad_genesis,          // the genesis block fails validation
    corrupt,              // stored data contradicts itself
    storage,              // the store failed to read or write
    read_only,            // a write was needed on a read-only store
};
[[nodiscard]] const std::error_category& chain_error_category() noexcept;
[[nodiscard]] std::error_code make_error_code(ChainError e) noexcept;

inline constexpr std::size_t MAX_ORPHAN_BLOCKS = 256;
inline constexpr std::size_t MAX_ORPHAN_BYTES = 32 * 1024 * 1024;
inline constexpr std::size_t MAX_CONNECTS_PER_STEP = 64;
inline constexpr std::size_t MAX_DISCONNECTS_PER_STEP = 64;
inline constexpr std::size_t MAX_HEADERS_PER_BATCH = 2000;

struct ChainTip {
    BlockHash hash;
    std::uint64_t height = 0;
    Uint256 work;  // cumulative
};

// Who sent a block, as the network layer names its peers; opaque here.
// LOCAL_PEER is this node itself (its miner, its disk, a local submit).
using PeerTag = std::uint64_t;
inline constexpr PeerTag LOCAL_PEER = 0;

// An orphan block handled because its parent arrived: stored (ok, possibly
// on a side branch) or refused, with the tag of the peer that sent it, so
// an invalid orphan is blamed on its sender (peer_action.hpp).
struct OrphanResult {
    BlockHash hash;
    PeerTag from = LOCAL_PEER;
    ValidationResult validation;
};

struct AcceptResult {
    ValidationResult validation;  // ok, or why the block/header was refused
    bool tip_changed = false;     // the active chain moved (possibly by a reorg)
    bool orphan = false;          // parent unknown: kept in the orphan pool (reason unknown_parent)
    // Orphans resolved by this call (descendants of the accepted block), in
    // the order they were handled.
    std::vector<OrphanResult> orphans = {};

    [[nodiscard]] bool ok() const noexcept { return validation.ok(); }
};

// What became of the low-work part of a header batch (low_work_headers.hpp).
enum class LowWorkOutcome {
    none,       // every new header leads to more work than the active chain: stored
    held,       // the sender's chain is still at or below the active chain's work: held in memory
    committed,  // a held chain overtook the active chain: moved to the tree and stored
    dropped,    // the sender's held chain would exceed its budget: discarded
};

struct HeadersResult {
    std::size_t accepted = 0;       // new valid headers (stored; held or discarded as low_work says)
    std::size_t already_known = 0;  // in the tree, or in this sender's held chain
    // ok, or why the first invalid header was refused; the headers before it
    // are kept. unknown_parent: the first header does not connect to a known
    // one, or a header does not connect to the previous one (the node asks
    // again with a locator). block_too_large: more than MAX_HEADERS_PER_BATCH.
    ValidationResult validation;
    BlockHash invalid_hash;  // the refused header (zero when ok)
    BlockHash last_hash;     // last header accepted or known (zero if none): continue from locator_for(it)
    std::uint64_t last_height = 0;
    bool best_header_changed = false;
    LowWorkOutcome low_work = LowWorkOutcome::none;

    [[nodiscard]] bool ok() const noexcept { return validation.ok(); }
};

// What a block template needs to extend the tip.
struct BlockContext {
    BlockHash prev;
    std::uint64_t height = 0;
    std::uint32_t bits = 0;             // required by the retarget rule
    std::int64_t median_time_past = 0;  // the new block's time must exceed it
    std::int64_t time = 0;              // max(now, median_time_past + 1)
};

// What a status call (getblockchaininfo) reports, read at one instant:
// every field describes the same chain state (ChainState::summary()).
struct ChainSummary {
    ChainTip tip;
    ChainTip best_header;          // may run ahead of tip
    std::uint32_t tip_bits = 0;    // the tip header's target
    std::int64_t median_time = 0;  // median time past of the tip (mtp_window blocks)
    BlockHash genesis;
};

// First mismatch found by verify(); empty message when the state is sound.
struct VerifyReport {
    bool ok = true;
    std::size_t coins_checked = 0;
    std::string first_difference;
};

// Info-level progress lines ("connected block 12 0000ab...").
using ChainLogFn = std::function<void(std::string_view)>;

class ChainState {
public:
    // `store` and `queue` (optional: signatures then verify on the calling
    // thread) must outlive the ChainState.
    ChainState(const ConsensusParams& params, ChainStore& store, SigCheckQueue* queue = nullptr);
    ChainState(const ChainState&) = delete;
    ChainState& operator=(const ChainState&) = delete;
    ~ChainState();

    // Starts a new chain on an empty store from `genesis` (height 0, prev
    // zero, bits = pow_limit_bits) and connects it.
    [[nodiscard]] Result<void> create(const Block& genesis);
    // Loads the chain held by the store: refuses another network (magic),
    // schema or a corrupt index; on a writable store resumes activation
    // (e.g. after a crash mid-reorg or mid-reindex).
    [[nodiscard]] Result<void> load();
    // load() if the store holds a chain, create(genesis) otherwise; a stored
    // chain with another genesis is refused.
    [[nodiscard]] Result<void> load_or_create(const Block& genesis);

    // `now` is local (adjusted) time in seconds, for the future-drift rule.
    // `from` is remembered with an orphan and reported in
    // AcceptResult::orphans when the orphan is handled later.
    // `wtxids`: empty, or the block's wtxids in order, hashed by the caller
    // from these very transactions (check_block_hashed's contract): a node
    // that rebuilt the block from its pool has them and need not hash again.
    // `txids` likewise (connect_block's contract), else hashed here once for
    // the connect and every observer.
    AcceptResult accept_block(const Block& block, std::int64_t now, PeerTag from = LOCAL_PEER,
                              std::span<const WtxId> wtxids = {}, std::span<const TxId> txids = {});
    // Records one header whose parent is known. No low-work defence: input
    // from peers goes through accept_headers.
    AcceptResult accept_header(const BlockHeader& header, std::int64_t now);

    // Headers-first sync (chain_state_headers.cpp). Up to
    // MAX_HEADERS_PER_BATCH headers, each the child of the one before, the
    // first the child of a known header (or of one `sender` sent before and
    // that is held as low-work). Checks PoW, bits, timestamps per header and
    // writes every stored header in one store batch. Headers whose chain does
    // not have more work than the active chain are held per sender in
    // memory, within the bound stated in low_work_headers.hpp, and reach the
    // tree and the store only once the chain overtakes the active one.
    // A block whose header is known can then arrive in any order: its body is
    // stored and it connects as soon as its ancestors' bodies are connected.
    HeadersResult accept_headers(std::span<const BlockHeader> headers, std::int64_t now, HeaderSender sender = 0);
    // Frees what `sender` has held (call when the peer disconnects).
    void forget_sender(HeaderSender sender) { m_low_work.forget(sender); }
    // The most-work chain of valid headers (bodies not needed); the active
    // tip when no header chain has more work. Can run ahead of tip().
    [[nodiscard]] ChainTip best_header() const;
    [[nodiscard]] bool on_best_header_chain(const BlockHash& hash) const;
    // Along the best-header chain, from `from_height` up, the blocks whose
    // header is known but whose body is not stored, in height order, at most
    // `max`. The node passes the start of its download window.
    [[nodiscard]] std::vector<std::pair<BlockHash, std::uint64_t>> blocks_to_download(std::uint64_t from_height,
                                                                                      std::size_t max) const;
    // Locator over the best-header chain (what to ask a peer for next).
    [[nodiscard]] std::vector<BlockHash> header_locator() const;
    // Locator from `hash` back to genesis: any header in the tree or held as
    // low-work (to continue a batch from HeadersResult::last_hash). Empty if
    // the hash is unknown.
    [[nodiscard]] std::vector<BlockHash> locator_for(const BlockHash& hash) const;
    // Highest locator entry on the best-header chain (genesis if none).
    [[nodiscard]] ChainTip find_header_fork(const std::vector<BlockHash>& locator) const;
    // Answer to getheaders, from the active chain: the headers after
    // find_fork(locator) up to and including `stop` (zero: no stop), at most
    // min(max, MAX_HEADERS_PER_BATCH).
    [[nodiscard]] std::vector<BlockHeader> headers_after(const std::vector<BlockHash>& locator, const BlockHash& stop,
                                                         std::size_t max) const;
    // Headers held as low-work, all senders (bounded: low_work_headers.hpp).
    [[nodiscard]] const LowWorkHeaders& low_work_headers() const noexcept { return m_low_work; }
    // Index entries in memory (the block tree), for tests and metrics.
    [[nodiscard]] std::size_t index_size() const noexcept { return m_tree.size(); }
    // Most blocks one activation step has held in memory since construction
    // (disconnected plus read to connect); at most
    // MAX_DISCONNECTS_PER_STEP + MAX_CONNECTS_PER_STEP. For tests and metrics.
    [[nodiscard]] std::size_t max_blocks_held_in_step() const noexcept { return m_max_blocks_held; }

    [[nodiscard]] ChainTip tip() const;
    [[nodiscard]] std::uint64_t height() const;
    // Tip, best header, the tip's bits and median time past, in one read
    // (walks mtp_window parents: cheap enough to run after every block).
    [[nodiscard]] ChainSummary summary() const;
    [[nodiscard]] const BlockHash& genesis_hash() const noexcept { return m_genesis; }
    [[nodiscard]] bool contains(const BlockHash& hash) const;    // known header (any branch)
    [[nodiscard]] bool have_block(const BlockHash& hash) const;  // body stored
    [[nodiscard]] bool is_orphan(const BlockHash& hash) const;
    [[nodiscard]] std::size_t orphan_count() const noexcept;
    [[nodiscard]] std::optional<Block> read_block(const BlockHash& hash) const;
    [[nodiscard]] std::optional<BlockHash> block_hash_at(std::uint64_t height) const;  // active chain
    [[nodiscard]] std::optional<BlockHeader> header(const BlockHash& hash) const;
    [[nodiscard]] std::optional<std::uint64_t> height_of(const BlockHash& hash) const;  // any branch
    [[nodiscard]] bool on_active_chain(const BlockHash& hash) const;
    [[nodiscard]] std::optional<BlockStatus> status(const BlockHash& hash) const;

    // Hashes from the tip back to genesis, dense for 10 then doubling steps.
    [[nodiscard]] std::vector<BlockHash> locator() const;
    // Highest locator entry on the active chain (genesis if none matches):
    // where to answer a getheaders from (headers_after).
    [[nodiscard]] ChainTip find_fork(const std::vector<BlockHash>& locator) const;

    // The committed UTXO set (reads go to the store).
    [[nodiscard]] const UtxoView& utxo() const noexcept { return m_store; }
    // Unspent outputs paying `key`, from the address index.
    [[nodiscard]] Result<std::vector<OwnedCoin>> coins_for(const KeyHash& key) const;

    [[nodiscard]] BlockContext next_block_context(std::int64_t now) const;
    // The header checks a block built on the tip at `now` must pass.
    [[nodiscard]] HeaderContext next_header_context(std::int64_t now) const;

    // Transactions found in `cache` (filled by the Mempool, sig_cache.hpp)
    // have their signatures skipped when a block connects; null (the
    // default): every signature is verified. verify() never uses it. Must
    // outlive the ChainState or be unset first.
    void set_sig_cache(const SigCache* cache) noexcept { m_sig_cache = cache; }

    // Observers must outlive the ChainState or be removed first.
    void add_observer(ChainObserver* o);
    void remove_observer(ChainObserver* o);
    void set_log(ChainLogFn log) { m_log = std::move(log); }

    // Connects toward the best stored chain again, as accept_block would:
    // how a caller retries after a storage_failure once it believes the
    // fault has passed (a block whose body was stored but not connected
    // connects now). Returns whether the tip changed, or the storage error.
    [[nodiscard]] Result<bool> retry_activation();

    // Rebuilds the UTXO set (and undo data) from the stored blocks of the
    // active chain. Crash-safe: an interrupted reindex resumes on load().
    [[nodiscard]] Result<void> reindex();
    // Rebuilds the UTXO set in memory from stored blocks and compares it,
    // and the address index, with the stored set; reports the first difference.
    [[nodiscard]] Result<VerifyReport> verify() const;

private:
    struct CandidateOrder {
        bool operator()(const BlockIndex* a, const BlockIndex* b) const;
    };

    AcceptResult accept_connected_block(const Block& block, const BlockHash& hash, std::int64_t now,
                                        bool activate = true);
    ValidationResult check_contextual(const BlockHeader& h, const BlockIndex& parent, std::int64_t now) const;
    HeaderContext header_context(const BlockIndex& parent, std::int64_t now) const;
    BlockIndex* add_index(const BlockHash& hash, const BlockHeader& h, BlockIndex& parent, BlockStatus status);
    // Marks `b` with `status` (failed, or failed_parent for a child of a
    // failed block) and its descendants failed_parent, in memory and `batch`.
    void mark_failed(BlockIndex& b, StoreBatch& batch, BlockStatus status = BlockStatus::failed);
    void update_has_chain(BlockIndex& b);
    // Why `node` (marked failed by activation) failed, for the answers.
    [[nodiscard]] ValidationResult failure_of(const BlockIndex& node) const;
    void process_orphans(const BlockHash& parent, std::int64_t now, AcceptResult& result);
    [[nodiscard]] Result<bool> activate_best_chain();
    [[nodiscard]] Result<bool> activation_step(BlockIndex& target);
    // A block connected in the current step, with its txids for the observers.
    struct Connected {
        const Block* block;
        std::vector<TxId> txids;
    };
    [[nodiscard]] Result<bool> connect_path(const std::vector<BlockIndex*>& path, UtxoCache& cache, StoreBatch& batch,
                                            std::deque<Block>& owned, std::vector<Connected>& connected);
    void set_tip(BlockIndex* tip);
    void reset_candidates();
    void notify_and_log(const std::vector<Block>& disconnected, std::uint64_t old_height,
                        const std::vector<Connected>& connected, std::uint64_t first_height);
    void log(std::string_view line) const;
    // Headers-first helpers (chain_state_headers.cpp).
    void note_index(BlockIndex* node);
    void reset_header_state();
    [[nodiscard]] const std::vector<BlockIndex*>& header_chain() const;
    [[nodiscard]] BlockIndex* find_header_parent(const BlockHash& prev, HeaderSender sender);
    [[nodiscard]] bool stage_headers(std::span<const BlockHeader> headers, std::int64_t now, HeaderSender sender,
                                     std::deque<BlockIndex>& staged, HeadersResult& res);
    void place_staged(std::deque<BlockIndex>& staged, HeaderSender sender, HeadersResult& res);
    [[nodiscard]] bool store_headers(std::deque<BlockIndex>& nodes, HeadersResult& res);
    [[nodiscard]] Result<void> load_index();
    [[nodiscard]] Error storage_error(std::string msg) const;

    ConsensusParams m_params;
    ChainStore& m_store;
    SigCheckQueue* m_queue;
    const SigCache* m_sig_cache = nullptr;
    BlockTree m_tree;
    std::vector<BlockIndex*> m_active;  // m_active[h] = block at height h
    std::set<BlockIndex*, CandidateOrder> m_candidates;
    BlockHash m_genesis;
    ChainMeta m_meta;
    bool m_loaded = false;
    // Why the last block that failed to connect failed, for accept_block's answer.
    BlockHash m_last_failed;
    ValidationResult m_last_failure;
    // Every block that failed to connect during the current accept_block.
    std::unordered_map<BlockHash, ValidationResult, HashHasher> m_connect_failures;
    // The block being accepted, so activation need not read it back from the store.
    const Block* m_arriving = nullptr;
    BlockHash m_arriving_hash;
    std::vector<WtxId> m_arriving_wtxids;     // check_block's, for the signature cache's keys
    std::span<const TxId> m_arriving_txids;   // the caller's, if it gave them
    std::unique_ptr<OrphanBlocks> m_orphans;  // never null (orphan_blocks.hpp: bounds, eviction)
    std::vector<ChainObserver*> m_observers;
    ChainLogFn m_log;
    // Headers-first state. The best header is cached and its chain rebuilt
    // lazily (height-indexed like m_active); both are recomputed from the
    // tree when a failure invalidates them.
    mutable BlockIndex* m_best_header = nullptr;
    mutable std::vector<BlockIndex*> m_header_chain;
    LowWorkHeaders m_low_work;
    std::size_t m_max_blocks_held = 0;
};

}  // namespace chainkit::chain

namespace std {
template <>
struct is_error_code_enum<chainkit::chain::ChainError> : true_type {};
}  // namespace std
