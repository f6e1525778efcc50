// Moving the active chain to the most-work valid block: disconnects to the
// fork with undo data, connects the new branch, all changes of one step in a
// single store batch. A block that fails to connect is marked (with its
// descendants) and nothing of that step is written but the marks.
#include "chainkit/chain/chain_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>

namespace chainkit::chain {

void ChainState::reset_candidates() {
    m_candidates.clear();
    const Uint256 floor = m_active.empty() ? Uint256{} : m_active.back()->work();
    m_tree.for_each([&](const BlockIndex& n) {
        if (n.has_chain && !is_failed(n.status()) && n.work() >= floor)
            m_candidates.insert(const_cast<BlockIndex*>(&n));
    });
}

void ChainState::set_tip(BlockIndex* tip) {
    if (!tip) {
        m_active.clear();
        return;
    }
    m_active.resize(tip->height() + 1, nullptr);
    for (BlockIndex* b = tip; b && m_active[b->height()] != b; b = b->parent) m_active[b->height()] = b;
}

Result<bool> ChainState::retry_activation() {
    if (!m_loaded) return storage_error("chain state not loaded");
    const auto old_tip = tip().hash;
    auto changed = activate_best_chain();
    if (!changed) return changed.error();
    return tip().hash != old_tip;
}

Result<bool> ChainState::activate_best_chain() {
    bool changed = false;
    const BlockHash old_tip = tip().hash;
    while (!m_candidates.empty()) {
        BlockIndex* best = *m_candidates.begin();
        const BlockIndex* current = m_active.empty() ? nullptr : m_active.back();
        if (current && !(best->work() > current->work())) break;
        auto step = activation_step(*best);
        if (!step) return step.error();
        changed = changed || *step;
    }
    // Blocks with less work than the tip can never win: drop them.
    if (!m_active.empty()) {
        const Uint256 floor = m_active.back()->work();
        while (!m_candidates.empty() && (*std::prev(m_candidates.end()))->work() < floor)
            m_candidates.erase(std::prev(m_candidates.end()));
    }
    if (changed && tip().hash != old_tip) {
        const auto t = tip();
        log(fmt::format("new tip height {} {} work {}", t.height, t.hash.hex(), t.work.hex()));
        for (auto* o : m_observers) o->on_tip_changed(t.hash, t.height);
    }
    return changed;
}

Result<bool> ChainState::activation_step(BlockIndex& target) {
    // A read error recorded before this step (another reader's, e.g. a
    // mempool check) says nothing of this step's reads: start clean.
    m_store.clear_read_error();
    BlockIndex* old_tip = m_active.empty() ? nullptr : m_active.back();
    const BlockIndex* fork = old_tip ? BlockTree::fork_point(old_tip, &target) : nullptr;
    std::vector<BlockIndex*> path;
    for (BlockIndex* b = &target; b != fork; b = b->parent) {
        if (!b) return Error{make_error_code(ChainError::corrupt), "the target branch does not reach the active chain"};
        path.push_back(b);
    }
    std::reverse(path.begin(), path.end());
    if (path.size() > MAX_CONNECTS_PER_STEP) path.resize(MAX_CONNECTS_PER_STEP);

    UtxoCache cache(m_store);
    StoreBatch batch;
    std::vector<Block> disconnected;
    // A deep reorg is streamed: a step disconnects at most
    // MAX_DISCONNECTS_PER_STEP blocks, and connects only once the fork is
    // reached, so memory does not grow with the reorg's depth. The
    // intermediate tips are stored like any other step (load() resumes).
    BlockIndex* next = old_tip;  // next block to disconnect
    for (; next != fork && disconnected.size() < MAX_DISCONNECTS_PER_STEP; next = next->parent) {
        auto block = m_store.read_block(next->hash);
        auto undo = m_store.read_undo(next->hash);
        if (!block || !undo) return storage_error("reading block or undo " + next->hash.hex());
        if (!*block || !*undo)
            return Error{make_error_code(ChainError::corrupt), "missing block or undo " + next->hash.hex()};
        // Hashed once: disconnecting and the erased keys both need them.
        std::vector<TxId> txids;
        txids.reserve((*block)->txs.size());
        for (const auto& tx : (*block)->txs) txids.push_back(tx.txid());
        if (!disconnect_block(**block, txids, **undo, cache)) {
            if (auto e = m_store.read_error()) return storage_error("disconnecting: " + e->message);
            return Error{make_error_code(ChainError::corrupt), "undo data does not match block " + next->hash.hex()};
        }
        batch.erase_undo.push_back(next->hash);
        for (std::size_t t = 0; t < txids.size(); ++t) {
            const auto& outs = (*block)->txs[t].outputs;
            for (std::uint32_t o = 0; o < outs.size(); ++o) batch.erased_keys[OutPoint{txids[t], o}] = outs[o].key_hash;
        }
        disconnected.push_back(std::move(**block));
    }
    if (next != fork) path.clear();  // more to disconnect first: no connects in this step
    std::deque<Block> owned;         // blocks read from the store (stable addresses)
    std::vector<Connected> connected;
    auto ok = connect_path(path, cache, batch, owned, connected);
    m_max_blocks_held = std::max(m_max_blocks_held, disconnected.size() + owned.size());
    if (!ok) return ok.error();
    if (!*ok) return false;  // a block failed: marked; nothing else written

    if (auto e = m_store.read_error()) return storage_error("reading the UTXO set: " + e->message);
    BlockIndex* new_tip = next != fork ? next : path.empty() ? const_cast<BlockIndex*>(fork) : path.back();
    batch.coins = cache.take_changes();
    m_meta.tip = new_tip ? new_tip->hash : BlockHash{};
    batch.meta = m_meta;
    if (auto w = m_store.write(batch); !w) return storage_error("committing a chain step: " + w.error().message);
    for (auto* b : path) b->record.status = BlockStatus::connected_once;
    set_tip(new_tip);
    notify_and_log(disconnected, old_tip ? old_tip->height() : 0, connected, fork ? fork->height() + 1 : 0);
    return true;
}

Result<bool> ChainState::connect_path(const std::vector<BlockIndex*>& path, UtxoCache& cache, StoreBatch& batch,
                                      std::deque<Block>& owned, std::vector<Connected>& connected) {
    for (BlockIndex* node : path) {
        const Block* block = nullptr;
        std::span<const WtxId> wtxids;
        std::vector<TxId> txids;
        if (m_arriving && node->hash == m_arriving_hash) {
            block = m_arriving;  // just received: no need to read it back
            wtxids = m_arriving_wtxids;
            txids.assign(m_arriving_txids.begin(), m_arriving_txids.end());
        } else {
            auto read = m_store.read_block(node->hash);
            if (!read) return storage_error("reading block " + node->hash.hex());
            if (!*read) return Error{make_error_code(ChainError::corrupt), "missing block " + node->hash.hex()};
            block = &owned.emplace_back(std::move(**read));
        }
        // Hashed once here when the caller did not: the connect and every
        // observer (the mempool) use them.
        if (txids.size() != block->txs.size()) {
            txids.clear();
            txids.reserve(block->txs.size());
            for (const auto& tx : block->txs) txids.push_back(tx.txid());
        }
        // Straight into the step's cache: a failure discards the whole step
        // (nothing but the marks is written), so no per-block child cache
        // (and its merge, a second hash-map insert per coin) is needed.
        BlockUndo undo;
        if (auto r = connect_block(*block, node->height(), m_params, cache, undo, m_queue, m_sig_cache, wtxids, txids);
            !r) {
            // An input the store could not read looks absent: a storage
            // fault, never a verdict on the block (nothing is marked).
            if (auto e = m_store.read_error())
                return storage_error(fmt::format("connecting block {}: {}", node->hash.hex(), e->message));
            log(fmt::format("block {} {} failed: {} ({})", node->height(), node->hash.hex(), to_string(r.reason),
                            r.message));
            m_last_failed = node->hash;
            m_last_failure = std::move(r);
            m_connect_failures.insert_or_assign(node->hash, m_last_failure);
            StoreBatch marks;
            mark_failed(*node, marks);
            if (auto w = m_store.write(marks); !w) return storage_error("marking a failed block: " + w.error().message);
            return false;
        }
        BlockIndexRecord rec = node->record;
        rec.status = BlockStatus::connected_once;
        batch.index.emplace_back(node->hash, rec);
        if (m_store.uses_erased_keys())
            for (const auto& [outpoint, coin] : undo.spent) batch.erased_keys[outpoint] = coin.out.key_hash;
        batch.undo.emplace_back(node->hash, std::move(undo));
        connected.push_back(Connected{block, std::move(txids)});
    }
    return true;
}

void ChainState::notify_and_log(const std::vector<Block>& disconnected, std::uint64_t old_height,
                                const std::vector<Connected>& connected, std::uint64_t first_height) {
    if (!disconnected.empty())
        log(fmt::format("reorg: disconnecting {} blocks down to height {}", disconnected.size(), first_height));
    std::uint64_t h = old_height;
    for (const auto& b : disconnected) {
        log(fmt::format("disconnected block {} {}", h, b.hash().hex()));
        for (auto* o : m_observers) o->on_block_disconnected(b, h);
        --h;
    }
    h = first_height;
    for (const auto& [b, txids] : connected) {
        log(fmt::format("connected block {} {} ({} txs)", h, b->hash().hex(), b->txs.size()));
        for (auto* o : m_observers) o->on_block_connected(*b, h, txids);
        ++h;
    }
}

}  // namespace chainkit::chain
