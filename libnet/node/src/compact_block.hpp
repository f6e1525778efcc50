// Compact blocks (BIP152-like, docs/protocol.md "Compact block relay"):
// short ids, building a cmpctblock from a block, and rebuilding the block
// from a cmpctblock and the transactions the receiver already has.
//
// Short id of a transaction: SipHash-2-4 (libsodium) of its wtxid, keyed by
// the first 16 bytes of SHA-256(header || nonce as u64 little-endian), its
// low 48 bits. The wtxid, not the txid: the merkle root commits to wtxids,
// so a pool transaction with the same txid but other signature bytes does
// not match. The per-block nonce makes a collision found for one block
// useless for the next.
//
// Pure functions and values: no I/O, no threads. Runs on the chain thread
// (the mempool is there).
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/hash.hpp"
#include "chainkit/node/messages.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace chainkit::node::detail {

using ShortIdKey = std::array<std::uint8_t, 16>;

[[nodiscard]] ShortIdKey short_id_key(const chain::BlockHeader& header, std::uint64_t nonce);
[[nodiscard]] std::uint64_t short_id(const ShortIdKey& key, const chain::WtxId& wtxid);

// `block` as a cmpctblock: the coinbase prefilled, every other transaction
// by short id. Precondition: the block has a transaction (a coinbase).
// `wtxids`: empty, or the block's, in order (then not hashed again).
[[nodiscard]] CmpctBlockMsg make_compact(const chain::Block& block, std::uint64_t nonce,
                                         std::span<const chain::WtxId> wtxids = {});

// A transaction the receiver has, with its hashes (the pool hashed it once).
struct Candidate {
    const chain::Transaction* tx = nullptr;
    chain::TxId txid;
    chain::WtxId wtxid;
};

// The hashes of a block's transactions, in block order, hashed by this node
// from those very transactions (chain::ChainState::accept_block's contract);
// both empty when the block came whole (then check_block hashes it after its
// proof of work, never before).
struct TxHashes {
    std::vector<chain::TxId> txids;
    std::vector<chain::WtxId> wtxids;
};

// A block rebuilt from a cmpctblock, with its transactions' hashes.
struct RebuiltBlock {
    chain::Block block;
    TxHashes hashes;
};

// A block being rebuilt from a cmpctblock. Construct it from the message and
// every transaction the receiver has (the mempool); missing() then lists the
// positions nothing matched, to ask for with getblocktxn. A short id two of
// the candidates share, or two positions share, counts as missing (the
// sender resolves it). complete() once nothing is missing; block() then
// checks the merkle root: a mismatch (a short-id collision, or a peer's
// wrong transactions) is nullopt and means "fetch the full block", not
// "the sender lied": the header's proof of work is all it vouched for.
class PartialBlock {
public:
    PartialBlock(const CmpctBlockMsg& msg, std::span<const Candidate> candidates);

    [[nodiscard]] const chain::BlockHeader& header() const noexcept { return m_header; }
    [[nodiscard]] chain::BlockHash hash() const { return m_header.hash(); }
    // Positions still empty, ascending.
    [[nodiscard]] const std::vector<std::uint32_t>& missing() const noexcept { return m_missing; }
    [[nodiscard]] bool complete() const noexcept { return m_missing.empty(); }
    // Fills the missing positions with `txs`, in order. False (and nothing
    // changed) when the count differs from missing().size().
    bool fill(std::vector<chain::Transaction> txs);
    // The block when complete and its merkle root matches the header; its
    // transactions are moved out (the partial block is spent). nullopt, and
    // nothing changed, when incomplete or the root differs.
    [[nodiscard]] std::optional<RebuiltBlock> take_block();
    [[nodiscard]] std::size_t tx_count() const noexcept { return m_txs.size(); }
    [[nodiscard]] std::size_t from_pool() const noexcept { return m_from_pool; }

private:
    chain::BlockHeader m_header;
    std::vector<std::optional<chain::Transaction>> m_txs;
    TxHashes m_hashes;  // of each filled position
    std::vector<std::uint32_t> m_missing;
    std::size_t m_from_pool = 0;
};

}  // namespace chainkit::node::detail
