// ChainStore in memory: the reference implementation unit tests (chain
// state, mempool, wallet) run against without a database. Batches are
// applied whole. Not thread-safe.
#pragma once

#include "chainkit/chain/chain_store.hpp"
#include "chainkit/chain/flat_hash_map.hpp"
#include "chainkit/chain/salted_hasher.hpp"

#include <unordered_map>

namespace chainkit::chain {

class MemoryChainStore final : public ChainStore {
public:
    [[nodiscard]] std::optional<Coin> get_coin(const OutPoint& o) const override;
    [[nodiscard]] Result<std::optional<ChainMeta>> read_meta() const override;
    [[nodiscard]] Result<std::vector<std::pair<BlockHash, BlockIndexRecord>>> read_index() const override;
    [[nodiscard]] Result<std::optional<Block>> read_block(const BlockHash& hash) const override;
    [[nodiscard]] Result<std::optional<BlockUndo>> read_undo(const BlockHash& hash) const override;
    [[nodiscard]] Result<std::vector<OwnedCoin>> coins_for(const KeyHash& key) const override;
    [[nodiscard]] Result<void> for_each_coin(const std::function<bool(const OutPoint&, const Coin&)>& f) const override;
    [[nodiscard]] Result<void> write(const StoreBatch& batch) override;
    [[nodiscard]] bool writable() const noexcept override { return true; }
    // Its coins carry their key: write() needs no hints.
    [[nodiscard]] bool uses_erased_keys() const noexcept override { return false; }

    [[nodiscard]] std::size_t batches_written() const noexcept { return m_batches; }

private:
    void put_coin(const OutPoint& o, const Coin& c);
    void erase_coin(const OutPoint& o);
    void unindex(const OutPoint& o, const KeyHash& key);

    std::optional<ChainMeta> m_meta;
    std::unordered_map<BlockHash, BlockIndexRecord, HashHasher> m_index;
    // Encoded, as a database holds them: one allocation per block, not a
    // copy of every transaction's vectors (reads are rare: peers' getdata,
    // reorgs).
    std::unordered_map<BlockHash, Bytes, HashHasher> m_blocks;
    std::unordered_map<BlockHash, BlockUndo, HashHasher> m_undo;
    // Open addressing, keyed hashes: a block's coins are cold and chosen by
    // its senders (flat_hash_map.hpp, salted_hasher.hpp).
    SaltedHasher m_hasher;
    FlatHashMap<OutPoint, Coin, SaltedHasher> m_coins{m_hasher};
    // The address index: outpoints by key (hashed, not ordered: a block's
    // thousands of updates to one busy key stay O(1) each; coins_for sorts).
    using OutPointSet = FlatHashSet<OutPoint, SaltedHasher>;
    std::unordered_map<KeyHash, OutPointSet, SaltedHasher> m_by_key{0, m_hasher};
    std::size_t m_batches = 0;
};

}  // namespace chainkit::chain
