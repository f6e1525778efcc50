// The node's database: one RocksDB instance per data directory with column
// families for block bodies, the block index, the UTXO set, an address
// index, undo data, peers/bans (reserved for libnet) and metadata. It
// implements chain::ChainStore; RocksDB types stay in the .cpp files.
//
// Opening checks the metadata: a database of another network (chain magic)
// or schema version is refused with a clear error, never reused. Read-only
// opens work while another process holds the database read-write (they see
// its state as of the open).
//
// Thread-safety: reads are thread-safe; write() must come from one thread
// at a time (the chain state's).
#pragma once

#include "chainkit/chain/chain_store.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/result.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

namespace chainkit::store {

enum class OpenMode { read_write, read_only };

struct OpenOptions {
    // fsync the write-ahead log on every batch: survives power loss, not
    // only process crashes (which unsynced batches already survive).
    bool sync = false;
    std::size_t block_cache_bytes = 8 * 1024 * 1024;
    std::size_t write_buffer_bytes = 4 * 1024 * 1024;  // per column family
};

enum class StoreError {
    ok = 0,
    open_failed = 1,  // RocksDB could not open the directory
    wrong_network,    // metadata names another network
    wrong_schema,     // metadata has another schema version
    corrupt_record,   // a record failed to decode
    io,               // a read or write failed
    read_only,        // write on a read-only open
};
[[nodiscard]] const std::error_category& store_error_category() noexcept;
[[nodiscard]] std::error_code make_error_code(StoreError e) noexcept;

class ChainDb final : public chain::ChainStore {
public:
    ~ChainDb() override;
    ChainDb(const ChainDb&) = delete;
    ChainDb& operator=(const ChainDb&) = delete;

    // An I/O error or an undecodable coin record answers nullopt and is
    // kept (the first one) in read_error() until clear_read_error().
    [[nodiscard]] std::optional<chain::Coin> get_coin(const chain::OutPoint& o) const override;
    [[nodiscard]] std::optional<Error> read_error() const override;
    void clear_read_error() const override;
    [[nodiscard]] Result<std::optional<chain::ChainMeta>> read_meta() const override;
    [[nodiscard]] Result<std::vector<std::pair<chain::BlockHash, chain::BlockIndexRecord>>> read_index() const override;
    [[nodiscard]] Result<std::optional<chain::Block>> read_block(const chain::BlockHash& hash) const override;
    [[nodiscard]] Result<std::optional<chain::BlockUndo>> read_undo(const chain::BlockHash& hash) const override;
    [[nodiscard]] Result<std::vector<chain::OwnedCoin>> coins_for(const chain::KeyHash& key) const override;
    [[nodiscard]] Result<void> for_each_coin(
        const std::function<bool(const chain::OutPoint&, const chain::Coin&)>& f) const override;
    [[nodiscard]] Result<void> write(const chain::StoreBatch& batch) override;
    [[nodiscard]] bool writable() const noexcept override;

    // Raw records of the peers/bans column family, owned by libnet.
    [[nodiscard]] Result<void> put_peer_record(const std::string& key, const std::string& value);
    [[nodiscard]] Result<std::optional<std::string>> get_peer_record(const std::string& key) const;
    [[nodiscard]] Result<void> erase_peer_record(const std::string& key);

    [[nodiscard]] const std::filesystem::path& path() const noexcept;

    // The sorted runs a balance query visits, for benchmarks and diagnostics:
    // "memtable N entries, L0 a files, L1 b files, ..." up to the deepest
    // non-empty level, then any flushes or compactions running (database-wide).
    [[nodiscard]] std::string address_index_layout() const;

    struct Impl;

private:
    friend Result<std::unique_ptr<ChainDb>> open(const std::filesystem::path&, const chain::ConsensusParams&, OpenMode,
                                                 const OpenOptions&);
    explicit ChainDb(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Opens (creating it in read_write mode if missing) the database at `path`
// for the network of `params`. An existing database whose metadata names
// another network or schema is refused.
[[nodiscard]] Result<std::unique_ptr<ChainDb>> open(const std::filesystem::path& path,
                                                    const chain::ConsensusParams& params, OpenMode mode,
                                                    const OpenOptions& options = {});

}  // namespace chainkit::store

namespace std {
template <>
struct is_error_code_enum<chainkit::store::StoreError> : true_type {};
}  // namespace std
