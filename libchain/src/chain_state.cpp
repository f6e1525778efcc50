// ChainState: construction, loading, accepting blocks and headers, resolving
// orphans (the pool itself is orphan_blocks.cpp).
// Activation (connect, disconnect, reorg) is in chain_state_activate.cpp;
// queries in chain_state_query.cpp; reindex and verify in chain_state_maintenance.cpp.
#include "chainkit/chain/chain_state.hpp"

#include "chainkit/chain/difficulty.hpp"
#include "chainkit/chain/pow.hpp"

#include "orphan_blocks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace chainkit::chain {
namespace {

class ChainErrorCategory final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "chainkit.chain_state"; }
    [[nodiscard]] std::string message(int c) const override {
        switch (static_cast<ChainError>(c)) {
            case ChainError::ok:
                return "ok";
            case ChainError::not_initialized:
                return "no chain in the store";
            case ChainError::already_initialized:
                return "the store already holds a chain";
            case ChainError::wrong_network:
                return "the store belongs to another network";
            case ChainError::wrong_schema:
                return "the store has another schema version";
            case ChainError::wrong_genesis:
                return "the store holds a chain with another genesis";
            case ChainError::bad_genesis:
                return "the genesis block is invalid";
            case ChainError::corrupt:
                return "the stored chain is corrupt";
            case ChainError::storage:
                return "storage failure";
            case ChainError::read_only:
                return "the store is read-only";
        }
        return "unknown chain state error";
    }
};

Error chain_error(ChainError e, std::string msg) {
    return Error{make_error_code(e), std::move(msg)};
}

}  // namespace

const std::error_category& chain_error_category() noexcept {
    static const ChainErrorCategory category;
    return category;
}

std::error_code make_error_code(ChainError e) noexcept {
    return {static_cast<int>(e), chain_error_category()};
}

bool ChainState::CandidateOrder::operator()(const BlockIndex* a, const BlockIndex* b) const {
    if (a->work() != b->work()) return a->work() > b->work();
    return a->sequence < b->sequence;
}

ChainState::ChainState(const ConsensusParams& params, ChainStore& store, SigCheckQueue* queue)
    : m_params(params), m_store(store), m_queue(queue), m_orphans(std::make_unique<OrphanBlocks>()) {}

ChainState::~ChainState() = default;

bool ChainState::is_orphan(const BlockHash& hash) const {
    return m_orphans->contains(hash);
}

std::size_t ChainState::orphan_count() const noexcept {
    return m_orphans->size();
}

Error ChainState::storage_error(std::string msg) const {
    return chain_error(ChainError::storage, std::move(msg));
}

void ChainState::log(std::string_view line) const {
    if (m_log) m_log(line);
}

Result<void> ChainState::create(const Block& genesis) {
    auto meta = m_store.read_meta();
    if (!meta) return meta.error();
    if (*meta) return chain_error(ChainError::already_initialized, "the store already holds a chain");
    if (!m_store.writable()) return chain_error(ChainError::read_only, "cannot create a chain on a read-only store");
    const auto& h = genesis.header;
    // Connects it too, before anything is written.
    if (auto r = check_genesis(genesis, m_params, m_queue); !r)
        return chain_error(ChainError::bad_genesis, "genesis: " + r.message);
    const auto hash = genesis.hash();
    BlockIndexRecord rec{h, 0, block_work(h.bits), BlockStatus::data_stored};
    m_meta = ChainMeta{CHAIN_SCHEMA_VERSION, m_params.chain_magic, hash, BlockHash{}};
    StoreBatch batch;
    batch.meta = m_meta;
    batch.index.emplace_back(hash, rec);
    batch.blocks.emplace_back(hash, &genesis);
    if (auto w = m_store.write(batch); !w) return storage_error("writing the genesis: " + w.error().message);
    m_tree.clear();
    reset_header_state();
    m_genesis = hash;
    auto* node = m_tree.insert(hash, rec);
    m_active.clear();
    m_loaded = true;
    update_has_chain(*node);
    log(fmt::format("created chain with genesis {}", hash.hex()));
    if (auto a = activate_best_chain(); !a) return a.error();
    return {};
}

Result<void> ChainState::load() {
    auto meta = m_store.read_meta();
    if (!meta) return meta.error();
    if (!*meta) return chain_error(ChainError::not_initialized, "no chain in the store: create one first");
    const ChainMeta& m = **meta;
    if (m.chain_magic != m_params.chain_magic)
        return chain_error(ChainError::wrong_network,
                           fmt::format("the store belongs to network magic {:08x}, not {} ({:08x})", m.chain_magic,
                                       m_params.name, m_params.chain_magic));
    if (m.schema_version != CHAIN_SCHEMA_VERSION)
        return chain_error(ChainError::wrong_schema, fmt::format("the store has schema version {}, this build reads {}",
                                                                 m.schema_version, CHAIN_SCHEMA_VERSION));
    m_meta = m;
    if (auto r = load_index(); !r) return r;
    m_loaded = true;
    log(fmt::format("loaded chain: {} blocks known, tip height {} {}", m_tree.size(), height(), tip().hash.hex()));
    if (m_store.writable()) {
        if (auto a = activate_best_chain(); !a) return a.error();
    }
    return {};
}

Result<void> ChainState::load_index() {
    auto records = m_store.read_index();
    if (!records) return records.error();
    m_tree.clear();
    reset_header_state();
    m_genesis = m_meta.genesis;
    // Insert parents before children so arrival order (the tie-break) is by height.
    std::sort(records->begin(), records->end(),
              [](const auto& a, const auto& b) { return a.second.height < b.second.height; });
    for (const auto& [hash, rec] : *records) m_tree.insert(hash, rec);
    if (!m_tree.find(m_genesis) || !m_tree.link_all(m_genesis))
        return chain_error(ChainError::corrupt, "the block index lacks the genesis or a parent");
    for (const auto& [hash, rec] : *records) {
        auto* node = m_tree.find(hash);
        node->has_chain = has_data(rec.status) && (hash == m_genesis || (node->parent && node->parent->has_chain));
    }
    BlockIndex* tip = nullptr;
    if (!m_meta.tip.is_zero()) {
        tip = m_tree.find(m_meta.tip);
        if (!tip || !tip->has_chain)
            return chain_error(ChainError::corrupt, "the stored tip is not in the block index");
    }
    set_tip(tip);
    reset_candidates();
    return {};
}

Result<void> ChainState::load_or_create(const Block& genesis) {
    auto meta = m_store.read_meta();
    if (!meta) return meta.error();
    if (!*meta) return create(genesis);
    if (auto r = load(); !r) return r;
    if (m_genesis != genesis.hash())
        return chain_error(ChainError::wrong_genesis,
                           fmt::format("the store holds genesis {}, not {}", m_genesis.hex(), genesis.hash().hex()));
    return {};
}

HeaderContext ChainState::header_context(const BlockIndex& parent, std::int64_t now) const {
    HeaderContext ctx;
    ctx.height = parent.height() + 1;
    ctx.now = now;
    std::vector<std::int64_t> times;
    std::vector<HeaderTimeBits> window;
    const std::uint64_t want = std::max<std::uint64_t>(m_params.mtp_window, m_params.retarget_window + 1ULL);
    std::uint64_t seen = 0;
    for (const BlockIndex* b = &parent; b && seen < want; b = b->parent, ++seen) {
        if (times.size() < m_params.mtp_window) times.push_back(b->record.header.time);
        if (window.size() < m_params.retarget_window + 1ULL)
            window.push_back(HeaderTimeBits{b->record.header.time, b->record.header.bits});
    }
    std::reverse(window.begin(), window.end());
    ctx.median_time_past = median_time_past(times);
    ctx.expected_bits = next_bits(window, m_params);
    return ctx;
}

ValidationResult ChainState::check_contextual(const BlockHeader& h, const BlockIndex& parent, std::int64_t now) const {
    return check_header_contextual(h, header_context(parent, now), m_params);
}

BlockIndex* ChainState::add_index(const BlockHash& hash, const BlockHeader& h, BlockIndex& parent, BlockStatus status) {
    BlockIndexRecord rec{h, parent.height() + 1, parent.work() + block_work(h.bits), status};
    BlockIndex* node = m_tree.insert(hash, rec);
    note_index(node);
    return node;
}

void ChainState::mark_failed(BlockIndex& b, StoreBatch& batch, BlockStatus status) {
    std::vector<BlockIndex*> todo{&b};
    while (!todo.empty()) {
        BlockIndex* n = todo.back();
        todo.pop_back();
        n->record.status = n == &b ? status : BlockStatus::failed_parent;
        m_candidates.erase(n);
        batch.index.emplace_back(n->hash, n->record);
        for (auto* c : n->children)
            if (!is_failed(c->status())) todo.push_back(c);
    }
}

void ChainState::update_has_chain(BlockIndex& b) {
    std::vector<BlockIndex*> todo{&b};
    while (!todo.empty()) {
        BlockIndex* n = todo.back();
        todo.pop_back();
        const bool parent_ok = n->hash == m_genesis || (n->parent && n->parent->has_chain);
        if (n->has_chain || !has_data(n->status()) || !parent_ok) continue;
        n->has_chain = true;
        if (!is_failed(n->status())) m_candidates.insert(n);
        for (auto* c : n->children) todo.push_back(c);
    }
}

AcceptResult ChainState::accept_block(const Block& block, std::int64_t now, PeerTag from, std::span<const WtxId> wtxids,
                                      std::span<const TxId> txids) {
    AcceptResult res;
    const auto hash = block.hash();
    m_connect_failures.clear();
    if (!m_loaded)
        return {ValidationResult::fail(RejectReason::storage_failure, "chain state not loaded"), false, false};
    if (m_orphans->contains(hash))
        return {ValidationResult::fail(RejectReason::already_orphan, "block already in the orphan pool"), false, true};
    BlockIndex* known = m_tree.find(hash);
    if (known && is_failed(known->status()))
        return {ValidationResult::fail(RejectReason::known_invalid, "block previously found invalid"), false, false};
    if (known && has_data(known->status()))
        return {ValidationResult::fail(RejectReason::already_have, "block already stored"), false, false};
    auto r = wtxids.size() == block.txs.size() ? check_block_hashed(block, m_params, wtxids)
                                               : check_block(block, m_params, &m_arriving_wtxids);
    if (r && wtxids.size() == block.txs.size()) m_arriving_wtxids.assign(wtxids.begin(), wtxids.end());
    if (!r) {
        if (known && !may_be_mutated(r.reason)) {
            StoreBatch batch;
            mark_failed(*known, batch);
            (void)m_store.write(batch);  // best effort: the mark is also kept in memory
        }
        return {std::move(r), false, false};
    }
    BlockIndex* parent = m_tree.find(block.header.prev);
    if (!parent) {
        m_orphans->add(block, hash, from);
        return {ValidationResult::fail(RejectReason::unknown_parent,
                                       fmt::format("parent {} unknown: kept as an orphan", block.header.prev.hex())),
                false, true};
    }
    m_arriving_txids = txids.size() == block.txs.size() ? txids : std::span<const TxId>{};
    res = accept_connected_block(block, hash, now);
    m_arriving_txids = {};
    process_orphans(hash, now, res);
    return res;
}

AcceptResult ChainState::accept_connected_block(const Block& block, const BlockHash& hash, std::int64_t now,
                                                bool activate) {
    BlockIndex* parent = m_tree.find(block.header.prev);
    BlockIndex* node = m_tree.find(hash);
    StoreBatch batch;
    if (is_failed(parent->status())) {
        if (!node) node = add_index(hash, block.header, *parent, BlockStatus::failed_parent);
        mark_failed(*node, batch, BlockStatus::failed_parent);
        (void)m_store.write(batch);
        return {ValidationResult::fail(RejectReason::invalid_parent, "parent block is invalid"), false, false};
    }
    if (!node) {
        if (auto r = check_contextual(block.header, *parent, now); !r) {
            // A later clock may accept a header that is only too new: keep no mark.
            if (r.reason != RejectReason::time_too_new) {
                mark_failed(*add_index(hash, block.header, *parent, BlockStatus::failed), batch);
                (void)m_store.write(batch);
            }
            return {std::move(r), false, false};
        }
        node = add_index(hash, block.header, *parent, BlockStatus::data_stored);
    }
    node->record.status = BlockStatus::data_stored;
    batch.index.emplace_back(hash, node->record);
    batch.blocks.emplace_back(hash, &block);
    if (auto w = m_store.write(batch); !w) {
        log("storing block failed: " + w.error().message);
        node->record.status = BlockStatus::header_valid;
        return {ValidationResult::fail(RejectReason::storage_failure, "storage failure: " + w.error().message), false,
                false};
    }
    update_has_chain(*node);
    if (!activate) return {};
    const auto old_tip = tip().hash;
    m_arriving = &block;
    m_arriving_hash = hash;
    auto changed = activate_best_chain();
    m_arriving = nullptr;
    if (!changed) {
        log("activating the best chain failed: " + changed.error().message);
        return {ValidationResult::fail(RejectReason::storage_failure, "storage failure: " + changed.error().message),
                false, false};
    }
    AcceptResult res;
    res.tip_changed = tip().hash != old_tip;
    if (is_failed(node->status())) res.validation = failure_of(*node);
    return res;
}

ValidationResult ChainState::failure_of(const BlockIndex& node) const {
    if (auto it = m_connect_failures.find(node.hash); it != m_connect_failures.end()) return it->second;
    return ValidationResult::fail(RejectReason::invalid_parent,
                                  "an ancestor failed to connect: " + m_last_failure.message);
}

AcceptResult ChainState::accept_header(const BlockHeader& header, std::int64_t now) {
    const auto hash = header.hash();
    if (BlockIndex* known = m_tree.find(hash)) {
        if (is_failed(known->status()))
            return {ValidationResult::fail(RejectReason::known_invalid, "header previously found invalid"), false,
                    false};
        return {};
    }
    if (auto r = check_block_header(header, m_params); !r) return {std::move(r), false, false};
    BlockIndex* parent = m_tree.find(header.prev);
    if (!parent)
        return {ValidationResult::fail(RejectReason::unknown_parent, "header's parent is unknown"), false, false};
    if (is_failed(parent->status()))
        return {ValidationResult::fail(RejectReason::invalid_parent, "header's parent is invalid"), false, false};
    if (auto r = check_contextual(header, *parent, now); !r) return {std::move(r), false, false};
    BlockIndex* node = add_index(hash, header, *parent, BlockStatus::header_valid);
    StoreBatch batch;
    batch.index.emplace_back(hash, node->record);
    if (auto w = m_store.write(batch); !w)
        return {ValidationResult::fail(RejectReason::storage_failure, "storage failure: " + w.error().message), false,
                false};
    return {};
}

void ChainState::process_orphans(const BlockHash& parent, std::int64_t now, AcceptResult& result) {
    // Store every descendant first and activate once: a long branch arriving
    // in reverse connects in a few steps instead of one activation per block.
    std::vector<BlockHash> parents{parent};
    bool stored_any = false;
    while (!parents.empty()) {
        const BlockHash p = parents.back();
        parents.pop_back();
        for (auto& orphan : m_orphans->take_children(p)) {
            auto r = accept_connected_block(orphan.block, orphan.hash, now, false);
            if (r.ok()) {
                parents.push_back(orphan.hash);
                stored_any = true;
            }
            result.orphans.push_back(OrphanResult{orphan.hash, orphan.from, std::move(r.validation)});
        }
    }
    if (!stored_any) return;
    const auto old_tip = tip().hash;
    auto activated = activate_best_chain();
    if (!activated) log("activating the best chain failed: " + activated.error().message);
    // Activation decides the fate of the stored ones: report it per sender.
    for (auto& o : result.orphans) {
        if (!o.validation.ok()) continue;
        if (!activated) {
            o.validation =
                ValidationResult::fail(RejectReason::storage_failure, "storage failure: " + activated.error().message);
        } else if (const BlockIndex* n = m_tree.find(o.hash); n && is_failed(n->status())) {
            o.validation = failure_of(*n);
        }
    }
    result.tip_changed = result.tip_changed || tip().hash != old_tip;
}

}  // namespace chainkit::chain
