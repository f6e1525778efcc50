#include "chainkit/chain/transaction.hpp"

#include "chainkit/chain/sha256.hpp"

#include <array>
#include <cstring>
#include <string_view>

namespace chainkit::chain {

void OutPoint::serialize(ByteWriter& w) const {
    txid.serialize(w);
    w.u32(index);
}

void OutPoint::deserialize(ByteReader& r) {
    txid.deserialize(r);
    index = r.u32();
}

void Transaction::serialize(ByteWriter& w, bool with_signatures) const {
    w.u32(version);
    w.compact_size(inputs.size());
    for (const auto& in : inputs) {
        in.prevout.serialize(w);
        w.bytes(in.pubkey);
        if (with_signatures) w.bytes(in.signature);
    }
    w.compact_size(outputs.size());
    for (const auto& out : outputs) {
        w.i64(out.value);
        w.bytes(out.key_hash.bytes);
    }
}

void Transaction::deserialize(ByteReader& r) {
    version = r.u32();
    // Caps come before allocation: a hostile length prefix cannot make us
    // reserve more than the remaining input could possibly hold.
    const auto n_in = r.compact_size(TX_MAX_INPUTS);
    if (r.ok() && n_in * TXIN_SIZE > r.remaining()) r.fail(DecodeError::truncated);
    inputs.assign(r.ok() ? n_in : 0, TxIn{});
    for (auto& in : inputs) {
        in.prevout.deserialize(r);
        r.bytes(in.pubkey);
        r.bytes(in.signature);
    }
    const auto n_out = r.compact_size(TX_MAX_OUTPUTS);
    if (r.ok() && n_out * TXOUT_SIZE > r.remaining()) r.fail(DecodeError::truncated);
    outputs.assign(r.ok() ? n_out : 0, TxOut{});
    for (auto& out : outputs) {
        out.value = r.i64();
        r.bytes(out.key_hash.bytes);
    }
}

std::size_t Transaction::serialized_size() const noexcept {
    return 4 + compact_size_len(inputs.size()) + inputs.size() * TXIN_SIZE + compact_size_len(outputs.size()) +
           outputs.size() * TXOUT_SIZE;
}

namespace {

// Txids and wtxids are hashed thousands of times per block (pool matching,
// merkle root, connect, pool removal): one serialization buffer per thread,
// not an allocation per hash.
constexpr std::size_t MAX_KEPT_SCRATCH = 16 * 1024;

template <class Id>
Id hash_of(const Transaction& tx, bool with_signatures) {
    thread_local Bytes scratch;
    scratch.reserve(tx.serialized_size());  // once per thread, or after a huge one
    ByteWriter w(std::move(scratch));
    tx.serialize(w, with_signatures);
    const auto id = hash_cast<Id>(sha256(w.data()));
    scratch = w.take();
    // A rare huge transaction must not pin its size on every thread.
    if (scratch.capacity() > MAX_KEPT_SCRATCH) Bytes().swap(scratch);
    return id;
}

}  // namespace

TxId Transaction::txid() const {
    return hash_of<TxId>(*this, /*with_signatures=*/false);
}

WtxId Transaction::wtxid() const {
    return hash_of<WtxId>(*this, /*with_signatures=*/true);
}

std::uint64_t Transaction::coinbase_height() const noexcept {
    if (inputs.empty()) return 0;
    std::uint64_t h = 0;
    for (int i = 0; i < 8; ++i) h |= std::uint64_t{inputs[0].pubkey[i]} << (8 * i);
    return h;
}

SignatureHasher::SignatureHasher(const Transaction& tx, std::span<const SpentOutput> spent)
    : SignatureHasher(tx.txid(), spent) {}

SignatureHasher::SignatureHasher(const TxId& txid, std::span<const SpentOutput> spent) : m_txid(txid) {
    // Streamed, not serialized into a buffer first: a block hashes one of
    // these per transaction (no allocation per transaction).
    Sha256 h;
    for (const auto& s : spent) {
        std::array<std::uint8_t, 8 + KeyHash{}.bytes.size()> item;
        for (std::size_t i = 0; i < 8; ++i)
            item[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(s.value) >> (8 * i));
        std::memcpy(item.data() + 8, s.key_hash.bytes.data(), s.key_hash.bytes.size());
        h.write(item);
    }
    m_spent_hash = h.finalize();
}

Hash256 SignatureHasher::hash(std::uint32_t input_index) const {
    static constexpr std::string_view tag = "chainkit/sighash/v1";
    ByteWriter w;
    w.bytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
    m_txid.serialize(w);
    m_spent_hash.serialize(w);
    w.u32(input_index);
    return sha256(w.data());
}

Hash256 signature_hash(const Transaction& tx, std::uint32_t input_index, std::span<const SpentOutput> spent) {
    return SignatureHasher(tx, spent).hash(input_index);
}

Transaction make_coinbase(std::uint64_t height, Amount value, const KeyHash& to, std::uint64_t extra) {
    Transaction tx;
    TxIn in;
    for (int i = 0; i < 8; ++i) {
        in.pubkey[i] = static_cast<std::uint8_t>(height >> (8 * i));
        in.pubkey[8 + i] = static_cast<std::uint8_t>(extra >> (8 * i));
    }
    tx.inputs.push_back(in);
    tx.outputs.push_back(TxOut{value, to});
    return tx;
}

}  // namespace chainkit::chain
