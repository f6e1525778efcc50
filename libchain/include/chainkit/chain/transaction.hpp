// Transactions: the UTXO model of the original design, with Ed25519 keys.
//
// Encoding (docs/protocol.md has the byte-by-byte layout and vectors):
//   version u32 | compact n_in | n_in x TxIn | compact n_out | n_out x TxOut
//   TxIn  = prev txid (32) | prev index u32 | public key (32) | signature (64)
//   TxOut = value i64 | key hash (20)
// The txid hashes the encoding with every signature left out, so a txid is
// known before signing and signatures cannot be malleated into a new txid.
// The wtxid hashes the whole encoding; the merkle root is built from wtxids
// so the header commits to the signatures too (a relay that flips one
// signature byte changes the root, not a valid block's verdict).
#pragma once

#include "chainkit/chain/amount.hpp"
#include "chainkit/chain/bytes.hpp"
#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/keys.hpp"

#include <compare>
#include <cstdint>
#include <span>
#include <vector>

namespace chainkit::chain {

struct OutPoint {
    static constexpr std::uint32_t NULL_INDEX = 0xffffffff;

    TxId txid;
    std::uint32_t index = NULL_INDEX;

    [[nodiscard]] bool is_null() const noexcept { return txid.is_zero() && index == NULL_INDEX; }
    void serialize(ByteWriter& w) const;
    void deserialize(ByteReader& r);
    friend auto operator<=>(const OutPoint&, const OutPoint&) = default;
};

struct OutPointHasher {
    std::size_t operator()(const OutPoint& o) const noexcept {
        return HashHasher{}(o.txid) ^ (std::size_t{o.index} * 0x9e3779b97f4a7c15ULL);
    }
};

// In a coinbase, prevout is null, `pubkey` carries coinbase data whose first
// 8 bytes are the block height (little-endian; makes every coinbase txid
// unique, the reason for Bitcoin's BIP34) and `signature` is all zero.
struct TxIn {
    OutPoint prevout;
    PublicKey pubkey{};
    Signature signature{};

    friend bool operator==(const TxIn&, const TxIn&) = default;
};

struct TxOut {
    Amount value = 0;
    KeyHash key_hash;

    friend bool operator==(const TxOut&, const TxOut&) = default;
};

inline constexpr std::size_t TX_MAX_INPUTS = 10'000;
inline constexpr std::size_t TX_MAX_OUTPUTS = 10'000;
inline constexpr std::size_t TXIN_SIZE = 32 + 4 + 32 + 64;
inline constexpr std::size_t TXOUT_SIZE = 8 + KeyHash::SIZE;
// The smallest decodable transaction: version and two empty counts. A
// decoder bounds a hostile transaction count by the bytes left over this.
inline constexpr std::size_t TX_MIN_SIZE = 4 + 1 + 1;

struct Transaction {
    std::uint32_t version = 1;
    std::vector<TxIn> inputs;
    std::vector<TxOut> outputs;

    [[nodiscard]] bool is_coinbase() const noexcept { return inputs.size() == 1 && inputs[0].prevout.is_null(); }
    [[nodiscard]] TxId txid() const;
    [[nodiscard]] WtxId wtxid() const;  // SHA-256 of the full encoding
    [[nodiscard]] std::size_t serialized_size() const noexcept;
    // Coinbase height stored in the first 8 bytes of the coinbase data.
    [[nodiscard]] std::uint64_t coinbase_height() const noexcept;

    void serialize(ByteWriter& w, bool with_signatures = true) const;
    void deserialize(ByteReader& r);
    friend bool operator==(const Transaction&, const Transaction&) = default;
};

// The output an input spends, as the signature hash commits to it.
struct SpentOutput {
    Amount value = 0;
    KeyHash key_hash;
};

// Signature hash for input i:
//   SHA-256("chainkit/sighash/v1" | txid | spent_hash | u32 i)
// where txid already hashes the transaction without signatures and
// spent_hash = SHA-256(for every input in order: spent value i64 | spent key hash).
// Committing to every spent value and key hash means a signer cannot be
// fooled about the fee or whose coins are spent (the lesson of BIP143/341);
// hashing the transaction once per transaction, not once per input, keeps
// checking n inputs O(n) instead of the O(n^2) of Bitcoin's legacy sighash.
class SignatureHasher {
public:
    // `spent` has one entry per input of `tx`.
    SignatureHasher(const Transaction& tx, std::span<const SpentOutput> spent);
    // The same with the txid already computed (connect_block has it).
    SignatureHasher(const TxId& txid, std::span<const SpentOutput> spent);
    [[nodiscard]] Hash256 hash(std::uint32_t input_index) const;
    // What every input's hash commits to about the spent outputs (the
    // signature cache's key needs it: sig_cache.hpp).
    [[nodiscard]] const Hash256& spent_hash() const noexcept { return m_spent_hash; }

private:
    TxId m_txid;
    Hash256 m_spent_hash;
};

// One-off form of SignatureHasher(tx, spent).hash(input_index); use the
// class when hashing several inputs of one transaction.
[[nodiscard]] Hash256 signature_hash(const Transaction& tx, std::uint32_t input_index,
                                     std::span<const SpentOutput> spent);

// Builds the coinbase of the block at `height` paying `value` to `to`.
// `extra` varies the coinbase data (an extra nonce) beyond the height.
[[nodiscard]] Transaction make_coinbase(std::uint64_t height, Amount value, const KeyHash& to, std::uint64_t extra = 0);

}  // namespace chainkit::chain
