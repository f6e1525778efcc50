#include "compact_block.hpp"

#include "chainkit/chain/merkle.hpp"
#include "chainkit/chain/sha256.hpp"

#include <sodium.h>

#include <unordered_map>

namespace chainkit::node::detail {

namespace {
constexpr std::uint64_t SHORT_ID_MASK = (std::uint64_t{1} << (8 * SHORT_ID_SIZE)) - 1;
}  // namespace

ShortIdKey short_id_key(const chain::BlockHeader& header, std::uint64_t nonce) {
    std::array<std::uint8_t, chain::HEADER_SIZE + 8> in{};
    const auto h = header.encode();
    std::copy(h.begin(), h.end(), in.begin());
    for (std::size_t i = 0; i < 8; ++i) in[chain::HEADER_SIZE + i] = static_cast<std::uint8_t>(nonce >> (8 * i));
    const auto digest = chain::sha256(in);
    ShortIdKey key{};
    std::copy_n(digest.span().begin(), key.size(), key.begin());
    return key;
}

std::uint64_t short_id(const ShortIdKey& key, const chain::WtxId& wtxid) {
    static_assert(crypto_shorthash_siphash24_KEYBYTES == 16 && crypto_shorthash_siphash24_BYTES == 8);
    std::array<std::uint8_t, 8> out{};
    const auto w = wtxid.span();
    crypto_shorthash_siphash24(out.data(), w.data(), w.size(), key.data());
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < out.size(); ++i) v |= static_cast<std::uint64_t>(out[i]) << (8 * i);
    return v & SHORT_ID_MASK;
}

CmpctBlockMsg make_compact(const chain::Block& block, std::uint64_t nonce, std::span<const chain::WtxId> wtxids) {
    const bool hashed = wtxids.size() == block.txs.size();
    CmpctBlockMsg m;
    m.header = block.header;
    m.nonce = nonce;
    m.prefilled.push_back({0, block.txs.at(0)});
    const auto key = short_id_key(block.header, nonce);
    m.short_ids.reserve(block.txs.size() - 1);
    for (std::size_t i = 1; i < block.txs.size(); ++i)
        m.short_ids.push_back(short_id(key, hashed ? wtxids[i] : block.txs[i].wtxid()));
    return m;
}

PartialBlock::PartialBlock(const CmpctBlockMsg& msg, std::span<const Candidate> candidates)
    : m_header(msg.header), m_txs(msg.short_ids.size() + msg.prefilled.size()) {
    m_hashes.txids.resize(m_txs.size());
    m_hashes.wtxids.resize(m_txs.size());
    for (const auto& p : msg.prefilled) {
        m_txs.at(p.index) = p.tx;
        m_hashes.txids[p.index] = p.tx.txid();
        m_hashes.wtxids[p.index] = p.tx.wtxid();
    }
    // Position of each short id; a short id at two positions maps to none.
    constexpr std::size_t AMBIGUOUS = SIZE_MAX;
    std::unordered_map<std::uint64_t, std::size_t> slot;
    slot.reserve(msg.short_ids.size());
    std::size_t next = 0;
    for (const auto id : msg.short_ids) {
        while (m_txs[next]) ++next;  // skip prefilled positions
        auto [it, added] = slot.try_emplace(id, next);
        if (!added) it->second = AMBIGUOUS;
        ++next;
    }
    std::vector<bool> filled_twice(m_txs.size(), false);
    std::vector<bool> from_pool(m_txs.size(), false);
    if (!slot.empty()) {
        const auto key = short_id_key(msg.header, msg.nonce);
        for (const auto& c : candidates) {
            const auto it = slot.find(short_id(key, c.wtxid));
            if (it == slot.end() || it->second == AMBIGUOUS) continue;
            const auto pos = it->second;
            if (from_pool[pos]) {
                filled_twice[pos] = true;  // two candidates share the short id
                continue;
            }
            m_txs[pos] = *c.tx;
            m_hashes.txids[pos] = c.txid;
            m_hashes.wtxids[pos] = c.wtxid;
            from_pool[pos] = true;
        }
    }
    for (std::size_t i = 0; i < m_txs.size(); ++i) {
        if (filled_twice[i]) m_txs[i].reset();
        if (!m_txs[i])
            m_missing.push_back(static_cast<std::uint32_t>(i));
        else if (from_pool[i])
            ++m_from_pool;
    }
}

bool PartialBlock::fill(std::vector<chain::Transaction> txs) {
    if (txs.size() != m_missing.size()) return false;
    for (std::size_t i = 0; i < txs.size(); ++i) {
        m_hashes.txids[m_missing[i]] = txs[i].txid();
        m_hashes.wtxids[m_missing[i]] = txs[i].wtxid();
        m_txs[m_missing[i]] = std::move(txs[i]);
    }
    m_missing.clear();
    return true;
}

std::optional<RebuiltBlock> PartialBlock::take_block() {
    if (!complete()) return std::nullopt;
    bool mutated = false;
    if (chain::merkle_root(m_hashes.wtxids, &mutated) != m_header.merkle_root || mutated) return std::nullopt;
    RebuiltBlock r;
    r.block.header = m_header;
    r.block.txs.reserve(m_txs.size());
    for (auto& tx : m_txs) r.block.txs.push_back(std::move(*tx));
    m_txs.clear();
    r.hashes = std::move(m_hashes);
    return r;
}

}  // namespace chainkit::node::detail
