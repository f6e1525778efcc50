// Block headers and blocks.
//
// The header is a fixed 88-byte layout, little-endian:
//   version u32 | prev block hash (32) | merkle root (32) | time i64 |
//   bits u32 | nonce u64
// The first 64 bytes never change while a miner varies time and nonce, so a
// miner hashes them once (the midstate) and each try costs one compression.
// Block hash = single SHA-256 of the 88 header bytes.
#pragma once

#include "chainkit/chain/bytes.hpp"
#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/transaction.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace chainkit::chain {

inline constexpr std::size_t HEADER_SIZE = 88;

struct BlockHeader {
    std::uint32_t version = 1;
    BlockHash prev;
    Hash256 merkle_root;
    std::int64_t time = 0;   // seconds since the Unix epoch
    std::uint32_t bits = 0;  // compact proof-of-work target
    std::uint64_t nonce = 0;

    [[nodiscard]] BlockHash hash() const;
    [[nodiscard]] std::array<std::uint8_t, HEADER_SIZE> encode() const;
    void serialize(ByteWriter& w) const;
    void deserialize(ByteReader& r);
    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

// Transactions per block are bounded by the block size limit; this cap only
// stops a length prefix from allocating before that limit is checked.
inline constexpr std::size_t BLOCK_MAX_TXS = 100'000;

struct Block {
    BlockHeader header;
    std::vector<Transaction> txs;

    [[nodiscard]] BlockHash hash() const { return header.hash(); }
    [[nodiscard]] std::size_t serialized_size() const noexcept;
    void serialize(ByteWriter& w) const;
    void deserialize(ByteReader& r);
    friend bool operator==(const Block&, const Block&) = default;
};

// Whole-object helpers: decoding fails on any error including trailing bytes.
[[nodiscard]] Bytes encode(const Block& b);
[[nodiscard]] Bytes encode(const Transaction& tx);
[[nodiscard]] bool decode(ByteSpan in, Block& out, DecodeError* err = nullptr);
[[nodiscard]] bool decode(ByteSpan in, Transaction& out, DecodeError* err = nullptr);
[[nodiscard]] bool decode(ByteSpan in, BlockHeader& out, DecodeError* err = nullptr);

}  // namespace chainkit::chain
