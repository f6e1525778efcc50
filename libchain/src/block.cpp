#include "chainkit/chain/block.hpp"

#include "chainkit/chain/sha256.hpp"

#include <cstring>

namespace chainkit::chain {

void BlockHeader::serialize(ByteWriter& w) const {
    w.u32(version);
    prev.serialize(w);
    merkle_root.serialize(w);
    w.i64(time);
    w.u32(bits);
    w.u64(nonce);
}

void BlockHeader::deserialize(ByteReader& r) {
    version = r.u32();
    prev.deserialize(r);
    merkle_root.deserialize(r);
    time = r.i64();
    bits = r.u32();
    nonce = r.u64();
}

std::array<std::uint8_t, HEADER_SIZE> BlockHeader::encode() const {
    ByteWriter w;
    serialize(w);
    std::array<std::uint8_t, HEADER_SIZE> out{};
    std::memcpy(out.data(), w.data().data(), HEADER_SIZE);
    return out;
}

BlockHash BlockHeader::hash() const {
    const auto bytes = encode();
    return hash_cast<BlockHash>(sha256(bytes));
}

std::size_t Block::serialized_size() const noexcept {
    std::size_t n = HEADER_SIZE + compact_size_len(txs.size());
    for (const auto& tx : txs) n += tx.serialized_size();
    return n;
}

void Block::serialize(ByteWriter& w) const {
    header.serialize(w);
    w.compact_size(txs.size());
    for (const auto& tx : txs) tx.serialize(w);
}

void Block::deserialize(ByteReader& r) {
    header.deserialize(r);
    const auto n = r.compact_size(BLOCK_MAX_TXS);
    // A cheap bound before allocating for a hostile count.
    if (r.ok() && n * TX_MIN_SIZE > r.remaining()) r.fail(DecodeError::truncated);
    txs.assign(r.ok() ? n : 0, Transaction{});
    for (auto& tx : txs) {
        if (!r.ok()) break;
        tx.deserialize(r);
    }
}

Bytes encode(const Block& b) {
    ByteWriter w(b.serialized_size());
    b.serialize(w);
    return w.take();
}

Bytes encode(const Transaction& tx) {
    ByteWriter w(tx.serialized_size());
    tx.serialize(w);
    return w.take();
}

namespace {
template <class T>
bool decode_whole(ByteSpan in, T& out, DecodeError* err) {
    ByteReader r(in);
    T value;
    value.deserialize(r);
    r.expect_end();
    if (err) *err = r.error();
    if (!r.ok()) return false;
    out = std::move(value);
    return true;
}
}  // namespace

bool decode(ByteSpan in, Block& out, DecodeError* err) {
    return decode_whole(in, out, err);
}
bool decode(ByteSpan in, Transaction& out, DecodeError* err) {
    return decode_whole(in, out, err);
}
bool decode(ByteSpan in, BlockHeader& out, DecodeError* err) {
    return decode_whole(in, out, err);
}

}  // namespace chainkit::chain
