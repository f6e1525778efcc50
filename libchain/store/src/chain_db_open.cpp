// store::open: options, column families, read-write or read-only opening,
// and the network/schema check of an existing database.
#include "chainkit/store/chain_db.hpp"

#include "db_impl.hpp"
#include "records.hpp"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <string_view>

namespace chainkit::store {
namespace {

// A balance query is one prefix seek, and a seek visits every sorted run
// of the family: the memtable, each L0 file, each level. With defaults the
// runs multiplied as the chain grew (up to 4 L0 files before compaction)
// and the query slowed 1.6x from 1,000 to 100,000 txs (docs/performance.md,
// issue 3). These keep the number and the cost of runs constant:
void tune_address_index(const OpenOptions& o, rocksdb::ColumnFamilyOptions& cf,
                        rocksdb::BlockBasedTableOptions& table) {
    // Each flushed L0 file is compacted into L1 at once: at most one L0 run.
    // L1 is kept to 4 write buffers so that each of these compactions
    // rewrites little (the index's bulk moves on to L2 and below).
    cf.level0_file_num_compaction_trigger = 1;
    cf.max_bytes_for_level_base = 4 * o.write_buffer_bytes;
    // A prefix bloom on the memtable: a key with no recent change skips the
    // memtable seek (2% of the buffer: ~20 bits per distinct key hash).
    cf.memtable_prefix_bloom_size_ratio = 0.02;
    // Index and filter blocks stay pinned in the shared cache, so block reads
    // of the other families never evict them from under the query.
    table.metadata_cache_options.unpartitioned_pinning = rocksdb::PinningTier::kAll;
}

rocksdb::ColumnFamilyOptions cf_options(const OpenOptions& o, const std::shared_ptr<rocksdb::Cache>& cache,
                                        std::string_view name) {
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = o.write_buffer_bytes;
    cf.max_write_buffer_number = 2;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;  // one cache shared by all families bounds memory
    table.cache_index_and_filter_blocks = true;
    // Bloom filters let a lookup skip table files that cannot hold the key;
    // on the address index they work on the key-hash prefix, so a balance
    // query reads data blocks only of the files holding that key's coins.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    if (name == "addr") {
        cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(chain::KeyHash::SIZE));
        table.whole_key_filtering = false;
        tune_address_index(o, cf, table);
    }
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return cf;
}

}  // namespace

Result<std::unique_ptr<ChainDb>> open(const std::filesystem::path& path, const chain::ConsensusParams& params,
                                      OpenMode mode, const OpenOptions& options) {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = mode == OpenMode::read_write;
    db_options.create_missing_column_families = mode == OpenMode::read_write;
    db_options.max_open_files = 256;
    db_options.keep_log_file_num = 2;
    db_options.max_background_jobs = 2;
    auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const char* name : CF_NAMES) descriptors.emplace_back(name, cf_options(options, cache, name));

    auto impl = std::make_unique<ChainDb::Impl>();
    impl->path = path;
    impl->mode = mode;
    impl->write_options.sync = options.sync;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s;
    if (mode == OpenMode::read_write) {
        std::error_code ec;
        std::filesystem::create_directories(path, ec);
        if (ec)
            return store_error(StoreError::open_failed,
                               fmt::format("cannot create {}: {}", path.string(), ec.message()));
        s = rocksdb::DB::Open(db_options, path.string(), descriptors, &impl->cfs, &raw);
    } else {
        s = rocksdb::DB::OpenForReadOnly(db_options, path.string(), descriptors, &impl->cfs, &raw);
    }
    impl->db.reset(raw);
    if (!s.ok())
        return store_error(StoreError::open_failed,
                           fmt::format("cannot open the chain database {}: {}", path.string(), s.ToString()));

    std::unique_ptr<ChainDb> db(new ChainDb(std::move(impl)));
    auto meta = db->read_meta();
    if (!meta) return meta.error();
    if (*meta) {
        const auto& m = **meta;
        if (m.chain_magic != params.chain_magic)
            return store_error(
                StoreError::wrong_network,
                fmt::format("{} holds a chain of network magic {:08x}, not {} ({:08x}): refusing to use it",
                            path.string(), m.chain_magic, params.name, params.chain_magic));
        if (m.schema_version != chain::CHAIN_SCHEMA_VERSION)
            return store_error(StoreError::wrong_schema,
                               fmt::format("{} has schema version {}, this build reads version {}", path.string(),
                                           m.schema_version, chain::CHAIN_SCHEMA_VERSION));
    }
    return db;
}

}  // namespace chainkit::store
