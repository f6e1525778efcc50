#include "chainkit/chain/memory_chain_store.hpp"

#include "chainkit/chain/chain_state.hpp"  // ChainError

#include <algorithm>

namespace chainkit::chain {

std::optional<Coin> MemoryChainStore::get_coin(const OutPoint& o) const {
    if (const Coin* c = m_coins.find(o)) return *c;
    return std::nullopt;
}

Result<std::optional<ChainMeta>> MemoryChainStore::read_meta() const {
    return m_meta;
}

Result<std::vector<std::pair<BlockHash, BlockIndexRecord>>> MemoryChainStore::read_index() const {
    return std::vector<std::pair<BlockHash, BlockIndexRecord>>(m_index.begin(), m_index.end());
}

Result<std::optional<Block>> MemoryChainStore::read_block(const BlockHash& hash) const {
    const auto it = m_blocks.find(hash);
    if (it == m_blocks.end()) return std::optional<Block>();
    Block b;
    if (!decode(it->second, b)) return Error{make_error_code(ChainError::corrupt), "stored block does not decode"};
    return std::optional<Block>(std::move(b));
}

Result<std::optional<BlockUndo>> MemoryChainStore::read_undo(const BlockHash& hash) const {
    if (auto it = m_undo.find(hash); it != m_undo.end()) return std::optional<BlockUndo>(it->second);
    return std::optional<BlockUndo>();
}

Result<std::vector<OwnedCoin>> MemoryChainStore::coins_for(const KeyHash& key) const {
    std::vector<OwnedCoin> out;
    if (auto it = m_by_key.find(key); it != m_by_key.end()) {
        out.reserve(it->second.size());
        it->second.for_each([&](const OutPoint& o) { out.push_back(OwnedCoin{o, *m_coins.find(o)}); });
    }
    std::sort(out.begin(), out.end(), [](const OwnedCoin& a, const OwnedCoin& b) { return a.outpoint < b.outpoint; });
    return out;
}

Result<void> MemoryChainStore::for_each_coin(const std::function<bool(const OutPoint&, const Coin&)>& f) const {
    m_coins.for_each([&](const OutPoint& o, const Coin& c) { return f(o, c); });
    return {};
}

void MemoryChainStore::put_coin(const OutPoint& o, const Coin& c) {
    auto [stored, added] = m_coins.try_emplace(o, c);
    if (!added) {
        if (stored->out.key_hash == c.out.key_hash) {
            *stored = c;
            return;
        }
        unindex(o, stored->out.key_hash);
        *stored = c;
    }
    m_by_key.try_emplace(c.out.key_hash, m_hasher).first->second.insert(o);
}

void MemoryChainStore::erase_coin(const OutPoint& o) {
    if (const auto c = m_coins.take(o)) unindex(o, c->out.key_hash);
}

void MemoryChainStore::unindex(const OutPoint& o, const KeyHash& key) {
    auto k = m_by_key.find(key);
    if (k == m_by_key.end()) return;
    k->second.erase(o);
    if (k->second.empty()) m_by_key.erase(k);
}

Result<void> MemoryChainStore::write(const StoreBatch& batch) {
    // Nothing here can fail half-way, so applying in order is atomic.
    if (batch.meta) m_meta = batch.meta;
    for (const auto& [h, rec] : batch.index) m_index[h] = rec;
    for (const auto& [h, block] : batch.blocks) m_blocks[h] = encode(*block);
    for (const auto& h : batch.erase_undo) m_undo.erase(h);
    for (const auto& [h, undo] : batch.undo) m_undo[h] = undo;
    if (batch.clear_utxo) {
        m_coins.clear();
        m_by_key.clear();
    }
    for (const auto& [o, c] : batch.coins) {
        if (c) {
            put_coin(o, *c);
        } else {
            erase_coin(o);
        }
    }
    ++m_batches;
    return {};
}

}  // namespace chainkit::chain
