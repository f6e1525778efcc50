// store::open: options, column families, read-write or read-only opening,
// and the network/schema check of an existing database.
#include "chainkit/store/chain_db.hpp"

#include "db_impl.hpp"
#include "records.hpp"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <array>
#include <string_view>

namespace chainkit::store {
namespace {

Error open_error(StoreError e, std::string msg) { return store_error(e, std::move(msg)); }

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
    // query touches only files holding that key's coins (flat as the chain grows).
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    if (name == "addr") {
        cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(chain::KeyHash::SIZE));
        table.whole_key_filtering = false;
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
        if (ec) return open_error(StoreError::open_failed, fmt::format("cannot create {}: {}", path.string(), ec.message()));
        s = rocksdb::DB::Open(db_options, path.string(), descriptors, &impl->cfs, &raw);
    } else {
        s = rocksdb::DB::OpenForReadOnly(db_options, path.string(), descriptors, &impl->cfs, &raw);
    }
    impl->db.reset(raw);
    if (!s.ok())
        return open_error(StoreError::open_failed, fmt::format("cannot open the chain database {}: {}", path.string(), s.ToString()));

    std::unique_ptr<ChainDb> db(new ChainDb(std::move(impl)));
    auto meta = db->read_meta();
    if (!meta) return meta.error();
    if (*meta) {
        const auto& m = **meta;
        if (m.chain_magic != params.chain_magic)
            return open_error(StoreError::wrong_network,
                              fmt::format("{} holds a chain of network magic {:08x}, not {} ({:08x}): refusing to use it",
                                          path.string(), m.chain_magic, params.name, params.chain_magic));
        if (m.schema_version != chain::CHAIN_SCHEMA_VERSION)
            return open_error(StoreError::wrong_schema,
                              fmt::format("{} has schema version {}, this build reads version {}", path.string(),
                                          m.schema_version, chain::CHAIN_SCHEMA_VERSION));
    }
    return db;
}

}  // namespace chainkit::store
