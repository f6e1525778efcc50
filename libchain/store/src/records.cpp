#include "records.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/array.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <sstream>

namespace chainkit::store::records {
namespace {

using Bytes32 = std::array<std::uint8_t, 32>;

// Every record starts with a format byte so a later schema can tell records apart.
constexpr std::uint8_t RECORD_FORMAT = 1;

struct MetaRecord {
    std::uint8_t format = RECORD_FORMAT;
    std::uint32_t schema_version = 0;
    std::uint32_t chain_magic = 0;
    Bytes32 genesis{};
    Bytes32 tip{};
    template <class A>
    void serialize(A& a) {
        a(format, schema_version, chain_magic, genesis, tip);
    }
};

struct IndexRecord {
    std::uint8_t format = RECORD_FORMAT;
    std::array<std::uint8_t, chain::HEADER_SIZE> header{};
    std::uint64_t height = 0;
    Bytes32 work{};  // big-endian
    std::uint8_t status = 0;
    template <class A>
    void serialize(A& a) {
        a(format, header, height, work, status);
    }
};

struct CoinRecord {
    std::int64_t value = 0;
    std::array<std::uint8_t, chain::KeyHash::SIZE> key{};
    std::uint64_t height = 0;
    // One byte, 0 or 1, as Cereal writes a bool; read as a byte because Cereal
    // copies the stored byte straight into a bool, and any other value there
    // is undefined behaviour (found by coin_record_fuzz).
    std::uint8_t coinbase = 0;
    template <class A>
    void serialize(A& a) {
        a(value, key, height, coinbase);
    }
};

CoinRecord to_record(const chain::Coin& c) {
    return {c.out.value, c.out.key_hash.bytes, c.height, static_cast<std::uint8_t>(c.coinbase ? 1 : 0)};
}
// Consensus code sums stored values assuming each is a valid amount: a
// corrupt record (coin or undo entry) must not reach those sums.
std::optional<chain::Coin> from_record(const CoinRecord& r) {
    if (!chain::money_range(r.value) || r.coinbase > 1) return std::nullopt;
    chain::Coin c;
    c.out.value = r.value;
    c.out.key_hash.bytes = r.key;
    c.height = r.height;
    c.coinbase = r.coinbase == 1;
    return c;
}

template <class T>
std::string save(const T& rec) {
    std::ostringstream os(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive ar(os);
        ar(rec);
    }
    return std::move(os).str();
}

// Cereal's portable archive opens with the writer's endianness byte and
// byte-swaps whenever it is not 1; only our own little-endian form (1) is
// accepted, so every record has exactly one encoding.
bool canonical_archive(std::string_view v) {
    return !v.empty() && v.front() == '\x01';
}

// Loads `rec` from exactly `v`: false on any decoding failure or leftover byte.
template <class T>
bool load(std::string_view v, T& rec) {
    if (!canonical_archive(v)) return false;
    try {
        std::istringstream is(std::string(v), std::ios::binary);
        cereal::PortableBinaryInputArchive ar(is);
        ar(rec);
        return is.peek() == std::char_traits<char>::eof();
    } catch (const std::exception&) {
        return false;
    }
}

void put_u32_be(std::string& s, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string hash_key(const chain::BlockHash& h) {
    return {reinterpret_cast<const char*>(h.data()), h.SIZE};
}

std::optional<chain::BlockHash> parse_hash_key(std::string_view key) {
    if (key.size() != chain::BlockHash::SIZE) return std::nullopt;
    Bytes32 b{};
    std::memcpy(b.data(), key.data(), b.size());
    return chain::BlockHash(b);
}

std::string outpoint_key(const chain::OutPoint& o) {
    std::string s(reinterpret_cast<const char*>(o.txid.data()), o.txid.SIZE);
    put_u32_be(s, o.index);
    return s;
}

std::optional<chain::OutPoint> parse_outpoint_key(std::string_view key) {
    if (key.size() != OUTPOINT_KEY_SIZE) return std::nullopt;
    chain::OutPoint o;
    std::memcpy(o.txid.bytes().data(), key.data(), 32);
    o.index = 0;
    for (std::size_t i = 32; i < 36; ++i) o.index = (o.index << 8) | static_cast<std::uint8_t>(key[i]);
    return o;
}

std::string addr_prefix(const chain::KeyHash& k) {
    return {reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()};
}

std::string addr_key(const chain::KeyHash& k, const chain::OutPoint& o) {
    return addr_prefix(k) + outpoint_key(o);
}

std::string encode_meta(const chain::ChainMeta& m) {
    return save(MetaRecord{RECORD_FORMAT, m.schema_version, m.chain_magic, m.genesis.bytes(), m.tip.bytes()});
}

std::optional<chain::ChainMeta> decode_meta(std::string_view v) {
    MetaRecord r;
    if (!load(v, r) || r.format != RECORD_FORMAT) return std::nullopt;
    return chain::ChainMeta{r.schema_version, r.chain_magic, chain::BlockHash(r.genesis), chain::BlockHash(r.tip)};
}

std::string encode_index(const chain::BlockIndexRecord& rec) {
    IndexRecord r;
    r.header = rec.header.encode();
    r.height = rec.height;
    rec.chain_work.to_be_bytes(r.work.data());
    r.status = static_cast<std::uint8_t>(rec.status);
    return save(r);
}

std::optional<chain::BlockIndexRecord> decode_index(std::string_view v) {
    IndexRecord r;
    if (!load(v, r) || r.format != RECORD_FORMAT ||
        r.status > static_cast<std::uint8_t>(chain::BlockStatus::failed_parent))
        return std::nullopt;
    chain::BlockIndexRecord rec;
    if (!chain::decode(r.header, rec.header)) return std::nullopt;
    rec.height = r.height;
    rec.chain_work = chain::Uint256::from_be_bytes(r.work.data());
    rec.status = static_cast<chain::BlockStatus>(r.status);
    return rec;
}

std::string encode_coin(const chain::Coin& c) {
    return save(to_record(c));
}

std::optional<chain::Coin> decode_coin(std::string_view v) {
    CoinRecord r;
    if (!load(v, r)) return std::nullopt;
    return from_record(r);
}

// Undo: u64 count, then count x (outpoint key bytes as a fixed array, coin).
// Written and read field by field so the count is checked against the
// record's size before anything is allocated.
std::string encode_undo(const chain::BlockUndo& u) {
    std::ostringstream os(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive ar(os);
        ar(RECORD_FORMAT, static_cast<std::uint64_t>(u.spent.size()));
        for (const auto& [o, c] : u.spent) {
            std::array<std::uint8_t, OUTPOINT_KEY_SIZE> key{};
            const auto k = outpoint_key(o);
            std::memcpy(key.data(), k.data(), key.size());
            ar(key, to_record(c));
        }
    }
    return std::move(os).str();
}

std::optional<chain::BlockUndo> decode_undo(std::string_view v) {
    if (!canonical_archive(v)) return std::nullopt;
    // Smallest entry: 36 key bytes + 8 + 20 + 8 + 1 coin bytes.
    constexpr std::size_t MIN_ENTRY = OUTPOINT_KEY_SIZE + 8 + 20 + 8 + 1;
    try {
        std::istringstream is(std::string(v), std::ios::binary);
        cereal::PortableBinaryInputArchive ar(is);
        std::uint8_t format = 0;
        std::uint64_t count = 0;
        ar(format, count);
        if (format != RECORD_FORMAT || count > v.size() / MIN_ENTRY) return std::nullopt;
        chain::BlockUndo u;
        u.spent.reserve(count);
        for (std::uint64_t i = 0; i < count; ++i) {
            std::array<std::uint8_t, OUTPOINT_KEY_SIZE> key{};
            CoinRecord c;
            ar(key, c);
            auto o = parse_outpoint_key({reinterpret_cast<const char*>(key.data()), key.size()});
            auto coin = from_record(c);
            if (!coin) return std::nullopt;
            u.spent.emplace_back(*o, *coin);
        }
        if (is.peek() != std::char_traits<char>::eof()) return std::nullopt;
        return u;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string encode_block(const chain::Block& b) {
    const auto bytes = chain::encode(b);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::optional<chain::Block> decode_block(std::string_view v) {
    chain::Block b;
    if (!chain::decode({reinterpret_cast<const std::uint8_t*>(v.data()), v.size()}, b)) return std::nullopt;
    return b;
}

}  // namespace chainkit::store::records
