// The chain protocol's messages (/chainkit/sync/1.0.0): what nodes say to
// each other, and their bytes. docs/protocol.md ("Chain protocol") gives
// each message's layout, bounds and a test vector.
//
// A message on the wire is one libp2p length-prefixed frame (unsigned varint
// length, then the body) on the connection's long-lived sync stream. The
// body is one type byte (MessageType) followed by the fields in a Cereal
// portable binary archive; blocks, headers and transactions inside it are
// carried as their canonical (hashed) bytes. Every count and length is
// checked against its bound and against the bytes left before anything is
// allocated.
//
// Thread-safety: free functions on values; nothing shared.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/result.hpp"
#include "chainkit/chain/transaction.hpp"
#include "chainkit/chain/uint256.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chainkit::node {

inline constexpr std::string_view SYNC_PROTOCOL = "/chainkit/sync/1.0.0";
inline constexpr std::uint32_t PROTOCOL_VERSION = 1;

// Bounds on what one message may carry (Bitcoin Core's figures where they exist).
inline constexpr std::size_t MAX_HEADERS_PER_MESSAGE = 2000;
inline constexpr std::size_t MAX_INV_PER_MESSAGE = 1000;
inline constexpr std::size_t MAX_ADDRS_PER_MESSAGE = 1000;
inline constexpr std::size_t MAX_LOCATOR_SIZE = 101;
inline constexpr std::size_t MAX_LISTEN_ADDRS = 16;
inline constexpr std::size_t MAX_ADDRESS_TEXT = 256;  // one multiaddr in text form
inline constexpr std::size_t MAX_USER_AGENT = 256;
// Everything but `block` and `tx` fits in this (2,000 headers of 88 bytes plus framing).
inline constexpr std::size_t MAX_SMALL_MESSAGE = 256 * 1024;
// Frame bound for a network whose blocks are at most `max_block_size` bytes.
[[nodiscard]] constexpr std::size_t max_message_size(std::size_t max_block_size) noexcept {
    return (max_block_size > MAX_SMALL_MESSAGE ? max_block_size : MAX_SMALL_MESSAGE) + 64;
}
// Compact blocks (BIP152-like): a short id is 6 bytes; a block of a frame of
// `max_size` bytes holds at most max_size / (the smallest valid transaction:
// one input, one output) transactions, the bound on every per-transaction
// count of cmpctblock, getblocktxn and blocktxn.
inline constexpr std::size_t SHORT_ID_SIZE = 6;
inline constexpr std::size_t MIN_VALID_TX_SIZE = 4 + 1 + chain::TXIN_SIZE + 1 + chain::TXOUT_SIZE;
[[nodiscard]] constexpr std::size_t max_block_txs(std::size_t max_size) noexcept {
    return max_size / MIN_VALID_TX_SIZE;
}

enum class MessageType : std::uint8_t {
    version = 1,
    verack = 2,
    getheaders = 3,
    headers = 4,
    inv = 5,
    getdata = 6,
    notfound = 7,
    block = 8,
    tx = 9,
    getaddr = 10,
    addr = 11,
    ping = 12,
    pong = 13,
    sendcmpct = 14,
    cmpctblock = 15,
    getblocktxn = 16,
    blocktxn = 17,
};
[[nodiscard]] std::string_view to_string(MessageType t) noexcept;

// cmpct_block is for getdata only: "send this block as a cmpctblock".
enum class InvType : std::uint8_t { tx = 1, block = 2, cmpct_block = 3 };

struct InvItem {
    InvType type = InvType::block;
    chain::Hash256 hash;  // a BlockHash or a TxId, by type
    friend bool operator==(const InvItem&, const InvItem&) = default;
};

struct VersionMsg {
    std::uint32_t protocol_version = PROTOCOL_VERSION;
    chain::BlockHash genesis;  // a peer on another chain is dropped
    std::uint64_t best_height = 0;
    chain::Uint256 best_work;
    std::vector<std::string> listen_addrs;  // multiaddrs (text) where the sender accepts connections
    std::string user_agent;
    std::uint64_t nonce = 0;  // random per node run: detects a connection to ourselves
    friend bool operator==(const VersionMsg&, const VersionMsg&) = default;
};
struct VerackMsg {
    friend bool operator==(const VerackMsg&, const VerackMsg&) = default;
};
// The tutorial's getblocks: "send me the headers after the first of these
// hashes you have on your chain, up to `stop` (zero: as many as fit)".
struct GetHeadersMsg {
    std::vector<chain::BlockHash> locator;
    chain::BlockHash stop;
    friend bool operator==(const GetHeadersMsg&, const GetHeadersMsg&) = default;
};
struct HeadersMsg {
    std::vector<chain::BlockHeader> headers;  // each connects to the one before
    friend bool operator==(const HeadersMsg&, const HeadersMsg&) = default;
};
struct InvMsg {
    std::vector<InvItem> items;
    friend bool operator==(const InvMsg&, const InvMsg&) = default;
};
struct GetDataMsg {
    std::vector<InvItem> items;
    friend bool operator==(const GetDataMsg&, const GetDataMsg&) = default;
};
struct NotFoundMsg {
    std::vector<InvItem> items;
    friend bool operator==(const NotFoundMsg&, const NotFoundMsg&) = default;
};
struct BlockMsg {
    chain::Block block;
    friend bool operator==(const BlockMsg&, const BlockMsg&) = default;
};
struct TxMsg {
    chain::Transaction tx;
    friend bool operator==(const TxMsg&, const TxMsg&) = default;
};
struct GetAddrMsg {
    friend bool operator==(const GetAddrMsg&, const GetAddrMsg&) = default;
};
struct AddrEntry {
    std::string address;         // a multiaddr with /p2p/<peer id>
    std::int64_t last_seen = 0;  // seconds since the Unix epoch
    friend bool operator==(const AddrEntry&, const AddrEntry&) = default;
};
struct AddrMsg {
    std::vector<AddrEntry> addrs;
    friend bool operator==(const AddrMsg&, const AddrMsg&) = default;
};
struct PingMsg {
    std::uint64_t nonce = 0;
    friend bool operator==(const PingMsg&, const PingMsg&) = default;
};
struct PongMsg {
    std::uint64_t nonce = 0;
    friend bool operator==(const PongMsg&, const PongMsg&) = default;
};

// "Push me new blocks as cmpctblock" (high_bandwidth) or "announce them by
// header" (the default).
struct SendCmpctMsg {
    bool high_bandwidth = false;
    friend bool operator==(const SendCmpctMsg&, const SendCmpctMsg&) = default;
};
struct PrefilledTx {
    std::uint32_t index = 0;  // absolute position in the block (differential on the wire)
    chain::Transaction tx;
    friend bool operator==(const PrefilledTx&, const PrefilledTx&) = default;
};
// A block as its header, the short ids of the transactions the receiver
// probably has, and the ones it cannot have (the coinbase). The block has
// short_ids.size() + prefilled.size() transactions; prefilled indexes are
// strictly ascending and below that count; the short ids fill the other
// positions in order.
struct CmpctBlockMsg {
    chain::BlockHeader header;
    std::uint64_t nonce = 0;               // salts the short ids (compact_block.hpp)
    std::vector<std::uint64_t> short_ids;  // low 48 bits each
    std::vector<PrefilledTx> prefilled;
    friend bool operator==(const CmpctBlockMsg&, const CmpctBlockMsg&) = default;
};
// The transactions of `hash` at `indexes` (absolute, strictly ascending).
struct GetBlockTxnMsg {
    chain::BlockHash hash;
    std::vector<std::uint32_t> indexes;
    friend bool operator==(const GetBlockTxnMsg&, const GetBlockTxnMsg&) = default;
};
// The answer: the transactions asked for, in the order asked.
struct BlockTxnMsg {
    chain::BlockHash hash;
    std::vector<chain::Transaction> txs;
    friend bool operator==(const BlockTxnMsg&, const BlockTxnMsg&) = default;
};

// Alternative i holds MessageType i + 1.
using Message =
    std::variant<VersionMsg, VerackMsg, GetHeadersMsg, HeadersMsg, InvMsg, GetDataMsg, NotFoundMsg, BlockMsg, TxMsg,
                 GetAddrMsg, AddrMsg, PingMsg, PongMsg, SendCmpctMsg, CmpctBlockMsg, GetBlockTxnMsg, BlockTxnMsg>;

[[nodiscard]] MessageType type_of(const Message& m) noexcept;

// The message body (type byte + fields), without the length prefix.
[[nodiscard]] chain::Bytes encode_message(const Message& m);

// Decodes one body of at most `max_size` bytes. Fails (node_error::bad_message
// with a message naming the field) on an unknown type, a bound broken, a
// truncated or trailing byte, or a block / transaction / header that does not
// decode canonically. Never throws.
[[nodiscard]] Result<Message> decode_message(chain::ByteSpan body, std::size_t max_size);

}  // namespace chainkit::node
