#include "chainkit/store/chain_db.hpp"

#include "db_impl.hpp"
#include "records.hpp"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <string_view>

namespace chainkit::store {

namespace {

class StoreErrorCategory final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "chainkit.store"; }
    [[nodiscard]] std::string message(int c) const override {
        switch (static_cast<StoreError>(c)) {
            case StoreError::ok:
                return "ok";
            case StoreError::open_failed:
                return "cannot open the database";
            case StoreError::wrong_network:
                return "the database belongs to another network";
            case StoreError::wrong_schema:
                return "the database has another schema version";
            case StoreError::corrupt_record:
                return "a stored record is corrupt";
            case StoreError::io:
                return "database read or write failed";
            case StoreError::read_only:
                return "the database is open read-only";
        }
        return "unknown store error";
    }
};

std::string_view view(const rocksdb::Slice& s) {
    return {s.data(), s.size()};
}

}  // namespace

const std::error_category& store_error_category() noexcept {
    static const StoreErrorCategory category;
    return category;
}

std::error_code make_error_code(StoreError e) noexcept {
    return {static_cast<int>(e), store_error_category()};
}

ChainDb::ChainDb(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ChainDb::~ChainDb() = default;

const std::filesystem::path& ChainDb::path() const noexcept {
    return m_impl->path;
}
bool ChainDb::writable() const noexcept {
    return m_impl->mode == OpenMode::read_write;
}

std::optional<chain::Coin> ChainDb::get_coin(const chain::OutPoint& o) const {
    auto v = m_impl->get(UTXO, records::outpoint_key(o));
    // UtxoView cannot carry an error: an unreadable coin answers absent (a
    // block spending it is refused, never accepted) and the failure is kept
    // in read_error(), so the chain state reports a storage error instead of
    // marking the block failed.
    if (!v) {
        m_impl->note_read_error(v.error());
        return std::nullopt;
    }
    if (!*v) return std::nullopt;
    auto coin = records::decode_coin(**v);
    if (!coin) m_impl->note_read_error(m_impl->corrupt(UTXO));
    return coin;
}

std::optional<Error> ChainDb::read_error() const {
    const std::lock_guard lock(m_impl->read_error_mutex);
    return m_impl->read_error;
}

void ChainDb::clear_read_error() const {
    const std::lock_guard lock(m_impl->read_error_mutex);
    m_impl->read_error.reset();
}

Result<std::optional<chain::ChainMeta>> ChainDb::read_meta() const {
    auto v = m_impl->get(META, records::META_KEY);
    if (!v) return v.error();
    if (!*v) return std::optional<chain::ChainMeta>();
    auto m = records::decode_meta(**v);
    if (!m) return m_impl->corrupt(META);
    return std::optional<chain::ChainMeta>(*m);
}

Result<std::vector<std::pair<chain::BlockHash, chain::BlockIndexRecord>>> ChainDb::read_index() const {
    std::vector<std::pair<chain::BlockHash, chain::BlockIndexRecord>> out;
    std::unique_ptr<rocksdb::Iterator> it(m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(INDEX)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto hash = records::parse_hash_key(view(it->key()));
        auto rec = records::decode_index(view(it->value()));
        if (!hash || !rec) return m_impl->corrupt(INDEX);
        out.emplace_back(*hash, *rec);
    }
    if (!it->status().ok()) return store_error(StoreError::io, "scanning the block index: " + it->status().ToString());
    return out;
}

Result<std::optional<chain::Block>> ChainDb::read_block(const chain::BlockHash& hash) const {
    auto v = m_impl->get(BLOCKS, records::hash_key(hash));
    if (!v) return v.error();
    if (!*v) return std::optional<chain::Block>();
    auto b = records::decode_block(**v);
    if (!b) return m_impl->corrupt(BLOCKS);
    return std::optional<chain::Block>(std::move(*b));
}

Result<std::optional<chain::BlockUndo>> ChainDb::read_undo(const chain::BlockHash& hash) const {
    auto v = m_impl->get(UNDO, records::hash_key(hash));
    if (!v) return v.error();
    if (!*v) return std::optional<chain::BlockUndo>();
    auto u = records::decode_undo(**v);
    if (!u) return m_impl->corrupt(UNDO);
    return std::optional<chain::BlockUndo>(std::move(*u));
}

Result<std::vector<chain::OwnedCoin>> ChainDb::coins_for(const chain::KeyHash& key) const {
    std::vector<chain::OwnedCoin> out;
    const std::string prefix = records::addr_prefix(key);
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;  // with the family's prefix extractor: bloom-filtered prefix scan
    // The first key after every key of this prefix: the scan ends there
    // without stepping over other keys' entries (or their tombstones).
    std::string upper = prefix;
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
    if (!upper.empty()) upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    const rocksdb::Slice upper_slice(upper);
    if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(m_impl->db->NewIterator(ro, m_impl->cf(ADDR)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        const auto k = view(it->key());
        auto o = records::parse_outpoint_key(k.substr(prefix.size()));
        auto c = records::decode_coin(view(it->value()));
        if (!o || !c) return m_impl->corrupt(ADDR);
        out.push_back(chain::OwnedCoin{*o, *c});
    }
    if (!it->status().ok())
        return store_error(StoreError::io, "scanning the address index: " + it->status().ToString());
    return out;
}

std::string ChainDb::address_index_layout() const {
    const auto property = [&](const std::string& name) {
        std::string v;
        return m_impl->db->GetProperty(m_impl->cf(ADDR), name, &v) ? v : std::string("?");
    };
    std::string out = "memtable " + property("rocksdb.num-entries-active-mem-table") + " entries";
    if (const auto imm = property("rocksdb.num-entries-imm-mem-tables"); imm != "0")
        out += " (+" + imm + " being flushed)";
    std::string levels;
    for (int level = 0; level < m_impl->db->NumberLevels(m_impl->cf(ADDR)); ++level) {
        const auto files = property("rocksdb.num-files-at-level" + std::to_string(level));
        levels += fmt::format(", L{} {} files", level, files);
        if (files != "0") {  // trailing empty levels are left out
            out += levels;
            levels.clear();
        }
    }
    // Background work competes with the query for the CPU.
    std::uint64_t flushes = 0, compactions = 0;
    (void)m_impl->db->GetIntProperty("rocksdb.num-running-flushes", &flushes);
    (void)m_impl->db->GetIntProperty("rocksdb.num-running-compactions", &compactions);
    if (flushes + compactions > 0) out += fmt::format(" ({} flushes, {} compactions running)", flushes, compactions);
    return out;
}

Result<void> ChainDb::for_each_coin(const std::function<bool(const chain::OutPoint&, const chain::Coin&)>& f) const {
    std::unique_ptr<rocksdb::Iterator> it(m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(UTXO)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto o = records::parse_outpoint_key(view(it->key()));
        auto c = records::decode_coin(view(it->value()));
        if (!o || !c) return m_impl->corrupt(UTXO);
        if (!f(*o, *c)) return {};
    }
    if (!it->status().ok()) return store_error(StoreError::io, "scanning the UTXO set: " + it->status().ToString());
    return {};
}

namespace {

// Adds the UTXO and address-index changes of `batch` to `wb`. A spent coin's
// address entry is found by reading the coin being erased.
Result<void> add_coin_changes(const ChainDb::Impl& impl, const chain::StoreBatch& batch, rocksdb::WriteBatch& wb) {
    if (batch.clear_utxo) {
        const std::string utxo_end(records::OUTPOINT_KEY_SIZE + 1, '\xff');
        const std::string addr_end(records::ADDR_KEY_SIZE + 1, '\xff');
        if (!wb.DeleteRange(impl.cf(UTXO), "", utxo_end).ok() || !wb.DeleteRange(impl.cf(ADDR), "", addr_end).ok())
            return store_error(StoreError::io, "cannot clear the UTXO set");
    }
    for (const auto& [o, coin] : batch.coins) {
        const std::string key = records::outpoint_key(o);
        if (coin) {
            // A txid commits to its outputs: a re-added coin pays the same key.
            const std::string value = records::encode_coin(*coin);
            (void)wb.Put(impl.cf(UTXO), key, value);
            (void)wb.Put(impl.cf(ADDR), records::addr_key(coin->out.key_hash, o), value);
            continue;
        }
        if (batch.clear_utxo) continue;
        if (auto hint = batch.erased_keys.find(o); hint != batch.erased_keys.end()) {
            // Deleting an absent key is harmless: no read needed.
            (void)wb.Delete(impl.cf(UTXO), key);
            (void)wb.Delete(impl.cf(ADDR), records::addr_key(hint->second, o));
            continue;
        }
        auto old = impl.get(UTXO, key);
        if (!old) return old.error();
        if (!*old) continue;
        auto c = records::decode_coin(**old);
        if (!c) return impl.corrupt(UTXO);
        (void)wb.Delete(impl.cf(UTXO), key);
        (void)wb.Delete(impl.cf(ADDR), records::addr_key(c->out.key_hash, o));
    }
    return {};
}

}  // namespace

Result<void> ChainDb::write(const chain::StoreBatch& batch) {
    if (!writable())
        return store_error(StoreError::read_only, "the database at " + m_impl->path.string() + " is open read-only");
    rocksdb::WriteBatch wb;
    const auto& impl = *m_impl;
    if (batch.meta) (void)wb.Put(impl.cf(META), records::META_KEY, records::encode_meta(*batch.meta));
    for (const auto& [h, rec] : batch.index)
        (void)wb.Put(impl.cf(INDEX), records::hash_key(h), records::encode_index(rec));
    for (const auto& [h, b] : batch.blocks)
        (void)wb.Put(impl.cf(BLOCKS), records::hash_key(h), records::encode_block(*b));
    for (const auto& h : batch.erase_undo) (void)wb.Delete(impl.cf(UNDO), records::hash_key(h));
    for (const auto& [h, u] : batch.undo) (void)wb.Put(impl.cf(UNDO), records::hash_key(h), records::encode_undo(u));
    if (auto r = add_coin_changes(impl, batch, wb); !r) return r;
    auto s = impl.db->Write(impl.write_options, &wb);
    if (!s.ok()) return store_error(StoreError::io, "writing a batch: " + s.ToString());
    return {};
}

Result<void> ChainDb::put_peer_record(const std::string& key, const std::string& value) {
    if (!writable()) return store_error(StoreError::read_only, "the database is open read-only");
    auto s = m_impl->db->Put(m_impl->write_options, m_impl->cf(PEERS), key, value);
    if (!s.ok()) return store_error(StoreError::io, "writing a peer record: " + s.ToString());
    return {};
}

Result<std::optional<std::string>> ChainDb::get_peer_record(const std::string& key) const {
    return m_impl->get(PEERS, key);
}

Result<void> ChainDb::erase_peer_record(const std::string& key) {
    if (!writable()) return store_error(StoreError::read_only, "the database is open read-only");
    auto s = m_impl->db->Delete(m_impl->write_options, m_impl->cf(PEERS), key);
    if (!s.ok()) return store_error(StoreError::io, "erasing a peer record: " + s.ToString());
    return {};
}

}  // namespace chainkit::store
