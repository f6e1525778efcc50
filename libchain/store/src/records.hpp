// On-disk keys and records of the chain database (docs/storage.md).
// Keys are fixed-width raw bytes so RocksDB's byte order is a useful order
// (the address index is scanned by key-hash prefix). Values are Cereal
// portable-binary records; consensus objects inside them (headers, blocks)
// are carried as their canonical bytes. Decoders never throw: a record that
// does not decode exactly is reported as corrupt.
#pragma once

#include "chainkit/chain/block_index.hpp"
#include "chainkit/chain/chain_store.hpp"
#include "chainkit/chain/utxo.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace chainkit::store::records {

inline constexpr std::string_view META_KEY = "chain";
inline constexpr std::size_t OUTPOINT_KEY_SIZE = 32 + 4;
inline constexpr std::size_t ADDR_KEY_SIZE = chain::KeyHash::SIZE + OUTPOINT_KEY_SIZE;

[[nodiscard]] std::string hash_key(const chain::BlockHash& h);
[[nodiscard]] std::string outpoint_key(const chain::OutPoint& o);  // txid | index (big-endian)
[[nodiscard]] std::optional<chain::OutPoint> parse_outpoint_key(std::string_view key);
[[nodiscard]] std::string addr_prefix(const chain::KeyHash& k);
[[nodiscard]] std::string addr_key(const chain::KeyHash& k, const chain::OutPoint& o);
[[nodiscard]] std::optional<chain::BlockHash> parse_hash_key(std::string_view key);

[[nodiscard]] std::string encode_meta(const chain::ChainMeta& m);
[[nodiscard]] std::optional<chain::ChainMeta> decode_meta(std::string_view v);
[[nodiscard]] std::string encode_index(const chain::BlockIndexRecord& r);
[[nodiscard]] std::optional<chain::BlockIndexRecord> decode_index(std::string_view v);
[[nodiscard]] std::string encode_coin(const chain::Coin& c);
[[nodiscard]] std::optional<chain::Coin> decode_coin(std::string_view v);
[[nodiscard]] std::string encode_undo(const chain::BlockUndo& u);
[[nodiscard]] std::optional<chain::BlockUndo> decode_undo(std::string_view v);
[[nodiscard]] std::string encode_block(const chain::Block& b);  // canonical bytes
[[nodiscard]] std::optional<chain::Block> decode_block(std::string_view v);

}  // namespace chainkit::store::records
