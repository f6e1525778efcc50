#include "chainkit/node/messages.hpp"

#include "chainkit/node/error.hpp"

#include "wire_archive.hpp"

#include <array>
#include <exception>
#include <string>
#include <type_traits>

namespace chainkit::node {
namespace {

using detail::WireError;
using detail::WireReader;
using detail::WireWriter;

constexpr std::size_t INV_ITEM_SIZE = 1 + chain::Hash256::SIZE;
constexpr std::size_t MIN_ADDR_ENTRY = 4 + 8;  // empty text + time

template <class H>
void write_hash(WireWriter& w, const H& h) {
    w.bytes(h.span());
}
template <class H>
H read_hash(WireReader& r, const char* what) {
    std::array<std::uint8_t, 32> b{};
    r.read_bytes(b.data(), b.size(), what);
    return H(b);
}

void write_items(WireWriter& w, const std::vector<InvItem>& items) {
    w.count(items.size());
    for (const auto& it : items) {
        w(static_cast<std::uint8_t>(it.type));
        write_hash(w, it.hash);
    }
}
std::vector<InvItem> read_items(WireReader& r) {
    const std::size_t n = r.read_count(MAX_INV_PER_MESSAGE, INV_ITEM_SIZE, "inventory");
    std::vector<InvItem> items;
    items.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t type = 0;
        r(type);
        if (type < static_cast<std::uint8_t>(InvType::tx) || type > static_cast<std::uint8_t>(InvType::cmpct_block))
            throw WireError("inventory: unknown item type " + std::to_string(type));
        items.push_back({static_cast<InvType>(type), read_hash<chain::Hash256>(r, "inventory hash")});
    }
    return items;
}

// ---- per-message fields ---------------------------------------------------

void write_body(WireWriter& w, const VersionMsg& m) {
    w(m.protocol_version);
    write_hash(w, m.genesis);
    w(m.best_height);
    std::array<std::uint8_t, 32> work{};
    m.best_work.to_be_bytes(work.data());
    w.bytes(work);
    w.count(m.listen_addrs.size());
    for (const auto& a : m.listen_addrs) w.text(a);
    w.text(m.user_agent);
    w(m.nonce);
}
void read_body(WireReader& r, VersionMsg& m) {
    r(m.protocol_version);
    m.genesis = read_hash<chain::BlockHash>(r, "version genesis");
    r(m.best_height);
    std::array<std::uint8_t, 32> work{};
    r.read_bytes(work.data(), work.size(), "version work");
    m.best_work = chain::Uint256::from_be_bytes(work.data());
    const std::size_t n = r.read_count(MAX_LISTEN_ADDRS, 4, "version listen addresses");
    m.listen_addrs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) m.listen_addrs.push_back(r.read_text(MAX_ADDRESS_TEXT, "version address"));
    m.user_agent = r.read_text(MAX_USER_AGENT, "version user agent");
    r(m.nonce);
}

void write_body(WireWriter&, const VerackMsg&) {}
void read_body(WireReader&, VerackMsg&) {}
void write_body(WireWriter&, const GetAddrMsg&) {}
void read_body(WireReader&, GetAddrMsg&) {}

void write_body(WireWriter& w, const GetHeadersMsg& m) {
    w.count(m.locator.size());
    for (const auto& h : m.locator) write_hash(w, h);
    write_hash(w, m.stop);
}
void read_body(WireReader& r, GetHeadersMsg& m) {
    const std::size_t n = r.read_count(MAX_LOCATOR_SIZE, chain::BlockHash::SIZE, "locator");
    m.locator.reserve(n);
    for (std::size_t i = 0; i < n; ++i) m.locator.push_back(read_hash<chain::BlockHash>(r, "locator hash"));
    m.stop = read_hash<chain::BlockHash>(r, "stop hash");
}

void write_body(WireWriter& w, const HeadersMsg& m) {
    w.count(m.headers.size());
    for (const auto& h : m.headers) w.bytes(h.encode());
}
void read_body(WireReader& r, HeadersMsg& m) {
    const std::size_t n = r.read_count(MAX_HEADERS_PER_MESSAGE, chain::HEADER_SIZE, "headers");
    m.headers.resize(n);
    std::array<std::uint8_t, chain::HEADER_SIZE> raw{};
    for (auto& h : m.headers) {
        r.read_bytes(raw.data(), raw.size(), "header");
        if (!chain::decode(raw, h)) throw WireError("header does not decode");
    }
}

void write_body(WireWriter& w, const InvMsg& m) {
    write_items(w, m.items);
}
void read_body(WireReader& r, InvMsg& m) {
    m.items = read_items(r);
}
void write_body(WireWriter& w, const GetDataMsg& m) {
    write_items(w, m.items);
}
void read_body(WireReader& r, GetDataMsg& m) {
    m.items = read_items(r);
}
void write_body(WireWriter& w, const NotFoundMsg& m) {
    write_items(w, m.items);
}
void read_body(WireReader& r, NotFoundMsg& m) {
    m.items = read_items(r);
}

void write_body(WireWriter& w, const BlockMsg& m) {
    w.blob(chain::encode(m.block));
}
void read_body(WireReader& r, BlockMsg& m) {
    const auto raw = r.read_blob(r.left(), "block");
    chain::DecodeError err{};
    if (!chain::decode(raw, m.block, &err)) throw WireError("block does not decode");
}
void write_body(WireWriter& w, const TxMsg& m) {
    w.blob(chain::encode(m.tx));
}
void read_body(WireReader& r, TxMsg& m) {
    const auto raw = r.read_blob(r.left(), "transaction");
    chain::DecodeError err{};
    if (!chain::decode(raw, m.tx, &err)) throw WireError("transaction does not decode");
}

void write_body(WireWriter& w, const AddrMsg& m) {
    w.count(m.addrs.size());
    for (const auto& a : m.addrs) {
        w.text(a.address);
        w(a.last_seen);
    }
}
void read_body(WireReader& r, AddrMsg& m) {
    const std::size_t n = r.read_count(MAX_ADDRS_PER_MESSAGE, MIN_ADDR_ENTRY, "addr");
    m.addrs.resize(n);
    for (auto& a : m.addrs) {
        a.address = r.read_text(MAX_ADDRESS_TEXT, "addr address");
        r(a.last_seen);
    }
}

void write_body(WireWriter& w, const PingMsg& m) {
    w(m.nonce);
}
void read_body(WireReader& r, PingMsg& m) {
    r(m.nonce);
}
void write_body(WireWriter& w, const PongMsg& m) {
    w(m.nonce);
}
void read_body(WireReader& r, PongMsg& m) {
    r(m.nonce);
}

// ---- compact blocks ---------------------------------------------------------

constexpr std::size_t TX_BLOB_MIN = 4 + chain::TX_MIN_SIZE;  // u32 length + the smallest decodable tx

void write_tx(WireWriter& w, const chain::Transaction& tx) {
    w.blob(chain::encode(tx));
}
chain::Transaction read_tx(WireReader& r, const char* what) {
    const auto raw = r.read_blob(r.left(), what);
    chain::Transaction tx;
    if (!chain::decode(raw, tx)) throw WireError(std::string(what) + " does not decode");
    return tx;
}

void write_body(WireWriter& w, const SendCmpctMsg& m) {
    w(static_cast<std::uint8_t>(m.high_bandwidth ? 1 : 0));
}
void read_body(WireReader& r, SendCmpctMsg& m) {
    std::uint8_t b = 0;
    r(b);
    if (b > 1) throw WireError("high_bandwidth is not 0 or 1");
    m.high_bandwidth = b == 1;
}

// Short ids: 6 bytes little-endian each. Prefilled: u32 index delta (the
// index minus the previous one minus 1, the first from -1, as BIP152) and the
// transaction as a blob.
void write_body(WireWriter& w, const CmpctBlockMsg& m) {
    w.bytes(m.header.encode());
    w(m.nonce);
    w.count(m.short_ids.size());
    for (const auto id : m.short_ids) {
        std::array<std::uint8_t, SHORT_ID_SIZE> b{};
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(id >> (8 * i));
        w.bytes(b);
    }
    w.count(m.prefilled.size());
    std::int64_t prev = -1;
    for (const auto& p : m.prefilled) {
        w(static_cast<std::uint32_t>(static_cast<std::int64_t>(p.index) - prev - 1));
        prev = p.index;
        write_tx(w, p.tx);
    }
}
void read_body(WireReader& r, CmpctBlockMsg& m) {
    std::array<std::uint8_t, chain::HEADER_SIZE> raw{};
    r.read_bytes(raw.data(), raw.size(), "cmpctblock header");
    if (!chain::decode(raw, m.header)) throw WireError("header does not decode");
    r(m.nonce);
    const std::size_t n = r.read_count(r.max_txs, SHORT_ID_SIZE, "short ids");
    m.short_ids.resize(n);
    for (auto& id : m.short_ids) {
        std::array<std::uint8_t, SHORT_ID_SIZE> b{};
        r.read_bytes(b.data(), b.size(), "short id");
        id = 0;
        for (std::size_t i = 0; i < b.size(); ++i) id |= static_cast<std::uint64_t>(b[i]) << (8 * i);
    }
    const std::size_t k = r.read_count(r.max_txs - n, 4 + TX_BLOB_MIN, "prefilled");
    if (n + k == 0) throw WireError("no transactions");
    m.prefilled.resize(k);
    std::uint64_t next = 0;  // the lowest index the next prefilled may have
    for (auto& p : m.prefilled) {
        std::uint32_t delta = 0;
        r(delta);
        const std::uint64_t index = next + delta;
        if (index >= n + k) throw WireError("prefilled index " + std::to_string(index) + " out of range");
        p.index = static_cast<std::uint32_t>(index);
        next = index + 1;
        p.tx = read_tx(r, "prefilled transaction");
    }
}

void write_body(WireWriter& w, const GetBlockTxnMsg& m) {
    write_hash(w, m.hash);
    w.count(m.indexes.size());
    for (const auto i : m.indexes) w(i);
}
void read_body(WireReader& r, GetBlockTxnMsg& m) {
    m.hash = read_hash<chain::BlockHash>(r, "getblocktxn hash");
    const std::size_t n = r.read_count(r.max_txs, 4, "indexes");
    m.indexes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        r(m.indexes[i]);
        if (m.indexes[i] >= r.max_txs) throw WireError("index " + std::to_string(m.indexes[i]) + " out of range");
        if (i > 0 && m.indexes[i] <= m.indexes[i - 1]) throw WireError("indexes not strictly ascending");
    }
}

void write_body(WireWriter& w, const BlockTxnMsg& m) {
    write_hash(w, m.hash);
    w.count(m.txs.size());
    for (const auto& tx : m.txs) write_tx(w, tx);
}
void read_body(WireReader& r, BlockTxnMsg& m) {
    m.hash = read_hash<chain::BlockHash>(r, "blocktxn hash");
    const std::size_t n = r.read_count(r.max_txs, TX_BLOB_MIN, "blocktxn transactions");
    m.txs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) m.txs.push_back(read_tx(r, "blocktxn transaction"));
}

template <std::size_t I = 0>
Message read_alternative(std::size_t index, WireReader& r) {
    if constexpr (I < std::variant_size_v<Message>) {
        if (index == I) {
            std::variant_alternative_t<I, Message> m;
            read_body(r, m);
            return m;
        }
        return read_alternative<I + 1>(index, r);
    } else {
        throw WireError("unknown message type");
    }
}

Error bad(std::string what) {
    return Error{make_error_code(NodeError::bad_message), std::move(what)};
}

}  // namespace

std::string_view to_string(MessageType t) noexcept {
    switch (t) {
        case MessageType::version:
            return "version";
        case MessageType::verack:
            return "verack";
        case MessageType::getheaders:
            return "getheaders";
        case MessageType::headers:
            return "headers";
        case MessageType::inv:
            return "inv";
        case MessageType::getdata:
            return "getdata";
        case MessageType::notfound:
            return "notfound";
        case MessageType::block:
            return "block";
        case MessageType::tx:
            return "tx";
        case MessageType::getaddr:
            return "getaddr";
        case MessageType::addr:
            return "addr";
        case MessageType::ping:
            return "ping";
        case MessageType::pong:
            return "pong";
        case MessageType::sendcmpct:
            return "sendcmpct";
        case MessageType::cmpctblock:
            return "cmpctblock";
        case MessageType::getblocktxn:
            return "getblocktxn";
        case MessageType::blocktxn:
            return "blocktxn";
    }
    return "unknown";
}

MessageType type_of(const Message& m) noexcept {
    return static_cast<MessageType>(m.index() + 1);
}

chain::Bytes encode_message(const Message& m) {
    chain::Bytes out;
    out.push_back(static_cast<std::uint8_t>(type_of(m)));
    {
        WireWriter w(out);
        std::visit([&](const auto& body) { write_body(w, body); }, m);
    }
    return out;
}

Result<Message> decode_message(chain::ByteSpan body, std::size_t max_size) {
    if (body.size() > max_size)
        return bad("message of " + std::to_string(body.size()) + " bytes over " + std::to_string(max_size));
    if (body.empty()) return bad("empty message");
    const std::uint8_t type = body[0];
    if (type == 0 || type > std::variant_size_v<Message>) return bad("unknown message type " + std::to_string(type));
    const auto name = std::string(to_string(static_cast<MessageType>(type)));
    // Cereal's portable archive starts with an endianness byte; only the
    // little-endian form (1) is canonical.
    if (body.size() < 2 || body[1] != 1) return bad(name + ": bad archive header");
    try {
        WireReader r(body.subspan(1), max_block_txs(max_size));
        Message m = read_alternative(type - 1u, r);
        if (r.left() != 0) return bad(name + ": " + std::to_string(r.left()) + " trailing bytes");
        return m;
    } catch (const WireError& e) {
        return bad(name + ": " + e.what());
    } catch (const std::exception&) {
        return bad(name + ": truncated");
    }
}

}  // namespace chainkit::node
