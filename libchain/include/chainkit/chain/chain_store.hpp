// The storage interface behind ChainState: block bodies, the block index,
// the UTXO set with an address index, undo data and metadata, written in
// atomic batches. libchain/store implements it on RocksDB; MemoryChainStore
// (memory_chain_store.hpp) implements it in memory for tests.
//
// Contract: write() applies a whole StoreBatch or nothing, so a crash at any
// instant leaves the state of some complete batch. Reads see every batch
// written before them. Implementations need not be thread-safe: one thread
// (the chain state's) uses a store at a time.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/block_index.hpp"
#include "chainkit/chain/result.hpp"
#include "chainkit/chain/utxo.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace chainkit::chain {

// Bumped whenever a stored record changes meaning; older databases are refused.
inline constexpr std::uint32_t CHAIN_SCHEMA_VERSION = 1;

struct ChainMeta {
    std::uint32_t schema_version = CHAIN_SCHEMA_VERSION;
    std::uint32_t chain_magic = 0;  // ConsensusParams::chain_magic of the network
    BlockHash genesis;
    BlockHash tip;  // block whose UTXO set is stored; zero = nothing connected yet
    friend bool operator==(const ChainMeta&, const ChainMeta&) = default;
};

// One atomic unit of change. Pointers must outlive the write() call.
struct StoreBatch {
    std::optional<ChainMeta> meta;
    std::vector<std::pair<BlockHash, BlockIndexRecord>> index;  // insert or overwrite
    std::vector<std::pair<BlockHash, const Block*>> blocks;     // bodies to store
    std::vector<std::pair<BlockHash, BlockUndo>> undo;          // undo data to store
    std::vector<BlockHash> erase_undo;                          // after a disconnect
    bool clear_utxo = false;                                    // drop the whole UTXO set (and address index) first
    UtxoCache::Changes coins;                                   // nullopt = spent (erase); applied after clear_utxo
    // Key hash of coins erased in `coins`, where the writer knows it (undo
    // data, a disconnected block's outputs): spares the store a read to find
    // the address-index entry. Optional; entries must be correct.
    std::unordered_map<OutPoint, KeyHash, OutPointHasher> erased_keys;

    [[nodiscard]] bool empty() const noexcept {
        return !meta && index.empty() && blocks.empty() && undo.empty() && erase_undo.empty() && !clear_utxo &&
               coins.empty();
    }
};

// An unspent output with where it is.
struct OwnedCoin {
    OutPoint outpoint;
    Coin coin;
    friend bool operator==(const OwnedCoin&, const OwnedCoin&) = default;
};

class ChainStore : public UtxoView {
public:
    // get_coin (from UtxoView) reads the committed UTXO set.
    [[nodiscard]] virtual Result<std::optional<ChainMeta>> read_meta() const = 0;
    // Every index record, in no particular order (loaded once at start-up).
    [[nodiscard]] virtual Result<std::vector<std::pair<BlockHash, BlockIndexRecord>>> read_index() const = 0;
    [[nodiscard]] virtual Result<std::optional<Block>> read_block(const BlockHash& hash) const = 0;
    [[nodiscard]] virtual Result<std::optional<BlockUndo>> read_undo(const BlockHash& hash) const = 0;
    // Unspent outputs paying `key`, ordered by outpoint; costs time
    // proportional to their number (an address index), not to the chain.
    [[nodiscard]] virtual Result<std::vector<OwnedCoin>> coins_for(const KeyHash& key) const = 0;
    // Visits the whole UTXO set (for verify); stops early when `f` returns false.
    [[nodiscard]] virtual Result<void> for_each_coin(
        const std::function<bool(const OutPoint&, const Coin&)>& f) const = 0;

    [[nodiscard]] virtual Result<void> write(const StoreBatch& batch) = 0;
    // False for a read-only open: write() then always fails.
    [[nodiscard]] virtual bool writable() const noexcept = 0;
    // Whether write() reads StoreBatch::erased_keys. A store whose address
    // index is in memory finds each key itself, so the writer skips building
    // the hints (a hash-map insert per spent coin).
    [[nodiscard]] virtual bool uses_erased_keys() const noexcept { return true; }
};

}  // namespace chainkit::chain
