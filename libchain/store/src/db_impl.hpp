// ChainDb's private state, shared by chain_db.cpp and chain_db_open.cpp.
#pragma once

#include "chainkit/store/chain_db.hpp"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::store {

// Column families, in the order their handles are kept (docs/storage.md).
enum Cf : std::size_t { DEFAULT, BLOCKS, INDEX, UTXO, ADDR, UNDO, PEERS, META, CF_COUNT };
inline constexpr std::array<const char*, CF_COUNT> CF_NAMES = {"default", "blocks", "index", "utxo",
                                                               "addr",    "undo",   "peers", "meta"};

inline Error store_error(StoreError e, std::string msg) {
    return Error{make_error_code(e), std::move(msg)};
}

struct ChainDb::Impl {
    std::filesystem::path path;
    OpenMode mode = OpenMode::read_write;
    rocksdb::WriteOptions write_options;
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> cfs;
    // The first failed coin read (UtxoView::read_error); reads may come
    // from several threads.
    mutable std::mutex read_error_mutex;
    std::optional<Error> read_error;

    void note_read_error(Error e) {
        const std::lock_guard lock(read_error_mutex);
        if (!read_error) read_error = std::move(e);
    }

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        for (auto* h : cfs)
            if (db && h) (void)db->DestroyColumnFamilyHandle(h);
        cfs.clear();
        db.reset();
    }

    [[nodiscard]] rocksdb::ColumnFamilyHandle* cf(Cf c) const { return cfs[c]; }

    // Value at `key` in `c`: nullopt if absent, an error on I/O failure.
    [[nodiscard]] Result<std::optional<std::string>> get(Cf c, std::string_view key) const {
        std::string value;
        auto s = db->Get(rocksdb::ReadOptions(), cf(c), rocksdb::Slice(key.data(), key.size()), &value);
        if (s.IsNotFound()) return std::optional<std::string>();
        if (!s.ok()) return store_error(StoreError::io, fmt::format("reading {}: {}", CF_NAMES[c], s.ToString()));
        return std::optional<std::string>(std::move(value));
    }

    [[nodiscard]] Error corrupt(Cf c) const {
        return store_error(StoreError::corrupt_record,
                           fmt::format("a record in '{}' of {} does not decode", CF_NAMES[c], path.string()));
    }
};

}  // namespace chainkit::store
