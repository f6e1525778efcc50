// ChainState read-only queries: tip, lookups, locators, block context.
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/difficulty.hpp"

#include <algorithm>
#include <vector>

namespace chainkit::chain {

ChainTip ChainState::tip() const {
    if (m_active.empty()) return {};
    const BlockIndex* t = m_active.back();
    return ChainTip{t->hash, t->height(), t->work()};
}

std::uint64_t ChainState::height() const {
    return m_active.empty() ? 0 : m_active.back()->height();
}

ChainSummary ChainState::summary() const {
    ChainSummary s;
    s.tip = tip();
    s.best_header = best_header();
    s.genesis = m_genesis;
    if (m_active.empty()) return s;
    const BlockIndex* t = m_active.back();
    s.tip_bits = t->record.header.bits;
    std::vector<std::int64_t> times;
    for (const BlockIndex* b = t; b && times.size() < m_params.mtp_window; b = b->parent)
        times.push_back(b->record.header.time);
    s.median_time = median_time_past(times);
    return s;
}

bool ChainState::contains(const BlockHash& hash) const {
    return m_tree.find(hash) != nullptr;
}

bool ChainState::have_block(const BlockHash& hash) const {
    const BlockIndex* b = m_tree.find(hash);
    return b && has_data(b->status());
}

std::optional<Block> ChainState::read_block(const BlockHash& hash) const {
    auto r = m_store.read_block(hash);
    if (!r) return std::nullopt;
    return std::move(*r);
}

std::optional<BlockHash> ChainState::block_hash_at(std::uint64_t h) const {
    if (h >= m_active.size()) return std::nullopt;
    return m_active[h]->hash;
}

std::optional<BlockHeader> ChainState::header(const BlockHash& hash) const {
    const BlockIndex* b = m_tree.find(hash);
    if (!b) return std::nullopt;
    return b->record.header;
}

std::optional<std::uint64_t> ChainState::height_of(const BlockHash& hash) const {
    const BlockIndex* b = m_tree.find(hash);
    if (!b) return std::nullopt;
    return b->height();
}

bool ChainState::on_active_chain(const BlockHash& hash) const {
    const BlockIndex* b = m_tree.find(hash);
    return b && b->height() < m_active.size() && m_active[b->height()] == b;
}

std::optional<BlockStatus> ChainState::status(const BlockHash& hash) const {
    const BlockIndex* b = m_tree.find(hash);
    if (!b) return std::nullopt;
    return b->status();
}

std::vector<BlockHash> ChainState::locator() const {
    std::vector<BlockHash> out;
    if (m_active.empty()) return out;
    std::uint64_t h = m_active.size() - 1;
    std::uint64_t step = 1;
    while (true) {
        out.push_back(m_active[h]->hash);
        if (h == 0) break;
        if (out.size() >= 10) step *= 2;
        h = h > step ? h - step : 0;
    }
    return out;
}

ChainTip ChainState::find_fork(const std::vector<BlockHash>& locator) const {
    for (const auto& hash : locator) {
        if (on_active_chain(hash)) {
            const BlockIndex* b = m_tree.find(hash);
            return ChainTip{b->hash, b->height(), b->work()};
        }
    }
    if (m_active.empty()) return {};
    const BlockIndex* g = m_active.front();
    return ChainTip{g->hash, 0, g->work()};
}

Result<std::vector<OwnedCoin>> ChainState::coins_for(const KeyHash& key) const {
    return m_store.coins_for(key);
}

HeaderContext ChainState::next_header_context(std::int64_t now) const {
    if (m_active.empty()) {
        HeaderContext ctx;
        ctx.expected_bits = m_params.pow_limit_bits;
        ctx.now = now;
        return ctx;
    }
    return header_context(*m_active.back(), now);
}

BlockContext ChainState::next_block_context(std::int64_t now) const {
    const HeaderContext hc = next_header_context(now);
    BlockContext ctx;
    ctx.prev = tip().hash;
    ctx.height = hc.height;
    ctx.bits = hc.expected_bits;
    ctx.median_time_past = hc.median_time_past;
    ctx.time = std::max(now, hc.median_time_past + 1);
    return ctx;
}

void ChainState::add_observer(ChainObserver* o) {
    if (o && std::find(m_observers.begin(), m_observers.end(), o) == m_observers.end()) m_observers.push_back(o);
}

void ChainState::remove_observer(ChainObserver* o) {
    std::erase(m_observers, o);
}

}  // namespace chainkit::chain
