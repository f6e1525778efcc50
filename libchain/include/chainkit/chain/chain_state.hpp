// The node's chain state: the block tree, the active (most-work valid)
// chain and the committed UTXO set, behind a ChainStore.
//
// Blocks and headers are accepted in any order. A block whose parent is
// unknown waits in a bounded orphan pool (oldest evicted first) and is
// connected when the parent arrives. The active chain is the valid chain
// with the most cumulative work (pow.hpp block_work); equal work keeps the
// first seen. A heavier branch triggers a reorg: disconnect to the fork
// with undo data, connect the branch; a block that fails marks itself and
// its descendants invalid and the state returns to the best valid chain.
// Each activation step (its disconnects and up to MAX_CONNECTS_PER_STEP
// connects, UTXO changes, undo data, index status and tip) is one atomic
// store batch, so a crash leaves the state of some complete step.
//
// Thread-safety: none. A ChainState is owned by one thread (the node's
// io_context thread); observers and the log callback run on it,
// synchronously. Time is always a parameter: no clock is read here.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/block_index.hpp"
#include "chainkit/chain/chain_observer.hpp"
#include "chainkit/chain/chain_store.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/result.hpp"
#include "chainkit/chain/validation.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chainkit::chain {

class SigCheckQueue;

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

// What a block template needs to extend the tip.
struct BlockContext {
    BlockHash prev;
    std::uint64_t height = 0;
    std::uint32_t bits = 0;             // required by the retarget rule
    std::int64_t median_time_past = 0;  // the new block's time must exceed it
    std::int64_t time = 0;              // max(now, median_time_past + 1)
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
    AcceptResult accept_block(const Block& block, std::int64_t now, PeerTag from = LOCAL_PEER);
    // Headers-first sync: records a header whose parent is known.
    AcceptResult accept_header(const BlockHeader& header, std::int64_t now);

    [[nodiscard]] ChainTip tip() const;
    [[nodiscard]] std::uint64_t height() const;
    [[nodiscard]] const BlockHash& genesis_hash() const noexcept { return m_genesis; }
    [[nodiscard]] bool contains(const BlockHash& hash) const;    // known header (any branch)
    [[nodiscard]] bool have_block(const BlockHash& hash) const;  // body stored
    [[nodiscard]] bool is_orphan(const BlockHash& hash) const { return m_orphans.contains(hash); }
    [[nodiscard]] std::size_t orphan_count() const noexcept { return m_orphans.size(); }
    [[nodiscard]] std::optional<Block> read_block(const BlockHash& hash) const;
    [[nodiscard]] std::optional<BlockHash> block_hash_at(std::uint64_t height) const;  // active chain
    [[nodiscard]] std::optional<BlockHeader> header(const BlockHash& hash) const;
    [[nodiscard]] std::optional<std::uint64_t> height_of(const BlockHash& hash) const;  // any branch
    [[nodiscard]] bool on_active_chain(const BlockHash& hash) const;
    [[nodiscard]] std::optional<BlockStatus> status(const BlockHash& hash) const;

    // Hashes from the tip back to genesis, dense for 10 then doubling steps.
    [[nodiscard]] std::vector<BlockHash> locator() const;
    // Highest locator entry on the active chain (genesis if none matches).
    [[nodiscard]] ChainTip find_fork(const std::vector<BlockHash>& locator) const;

    // The committed UTXO set (reads go to the store).
    [[nodiscard]] const UtxoView& utxo() const noexcept { return m_store; }
    // Unspent outputs paying `key`, from the address index.
    [[nodiscard]] Result<std::vector<OwnedCoin>> coins_for(const KeyHash& key) const;

    [[nodiscard]] BlockContext next_block_context(std::int64_t now) const;
    // The header checks a block built on the tip at `now` must pass.
    [[nodiscard]] HeaderContext next_header_context(std::int64_t now) const;

    // Observers must outlive the ChainState or be removed first.
    void add_observer(ChainObserver* o);
    void remove_observer(ChainObserver* o);
    void set_log(ChainLogFn log) { m_log = std::move(log); }

    // Rebuilds the UTXO set (and undo data) from the stored blocks of the
    // active chain. Crash-safe: an interrupted reindex resumes on load().
    [[nodiscard]] Result<void> reindex();
    // Rebuilds the UTXO set in memory from stored blocks and compares it,
    // and the address index, with the stored set; reports the first difference.
    [[nodiscard]] Result<VerifyReport> verify() const;

private:
    struct Orphan {
        Block block;
        std::size_t bytes = 0;
        std::uint64_t sequence = 0;
        PeerTag from = LOCAL_PEER;
    };
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
    void add_orphan(const Block& block, const BlockHash& hash, PeerTag from);
    // Why `node` (marked failed by activation) failed, for the answers.
    [[nodiscard]] ValidationResult failure_of(const BlockIndex& node) const;
    void process_orphans(const BlockHash& parent, std::int64_t now, AcceptResult& result);
    [[nodiscard]] Result<bool> activate_best_chain();
    [[nodiscard]] Result<bool> activation_step(BlockIndex& target);
    [[nodiscard]] Result<bool> connect_path(const std::vector<BlockIndex*>& path, UtxoCache& cache, StoreBatch& batch,
                                            std::deque<Block>& owned, std::vector<const Block*>& connected);
    void set_tip(BlockIndex* tip);
    void reset_candidates();
    void notify_and_log(const std::vector<Block>& disconnected, std::uint64_t old_height,
                        const std::vector<const Block*>& connected, std::uint64_t first_height);
    void log(std::string_view line) const;
    [[nodiscard]] Result<void> load_index();
    [[nodiscard]] Error storage_error(std::string msg) const;

    ConsensusParams m_params;
    ChainStore& m_store;
    SigCheckQueue* m_queue;
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
    std::unordered_map<BlockHash, Orphan, HashHasher> m_orphans;
    std::multimap<BlockHash, BlockHash> m_orphans_by_parent;
    std::size_t m_orphan_bytes = 0;
    std::uint64_t m_orphan_sequence = 0;
    std::vector<ChainObserver*> m_observers;
    ChainLogFn m_log;
};

}  // namespace chainkit::chain

namespace std {
template <>
struct is_error_code_enum<chainkit::chain::ChainError> : true_type {};
}  // namespace std
