#include "chainkit/chain/utxo.hpp"

#include <utility>

namespace chainkit::chain {

std::optional<Coin> UtxoCache::get_coin(const OutPoint& o) const {
    if (auto it = m_changes.find(o); it != m_changes.end()) return it->second;
    if (auto it = m_read.find(o); it != m_read.end()) return it->second;
    auto coin = m_base->get_coin(o);
    m_read.emplace(o, coin);
    return coin;
}

std::optional<Coin> UtxoCache::spend_coin(const OutPoint& o) {
    if (auto it = m_changes.find(o); it != m_changes.end()) {
        auto coin = std::exchange(it->second, std::nullopt);
        return coin;
    }
    // A coin read before (an input checked, then spent) moves its node from
    // the reads to the changes: no allocation, no second lookup in the base.
    if (auto read = m_read.extract(o)) {
        auto coin = std::exchange(read.mapped(), std::nullopt);
        if (coin)
            m_changes.insert(std::move(read));
        else
            m_read.insert(std::move(read));  // still absent: keep the answer
        return coin;
    }
    auto coin = m_base->get_coin(o);
    if (coin)
        m_changes.emplace(o, std::nullopt);
    else
        m_read.emplace(o, std::nullopt);
    return coin;
}

std::optional<Coin> MemoryUtxoSet::get_coin(const OutPoint& o) const {
    if (auto it = m_coins.find(o); it != m_coins.end()) return it->second;
    return std::nullopt;
}

void MemoryUtxoSet::apply(const UtxoCache::Changes& changes) {
    for (const auto& [outpoint, coin] : changes) {
        if (coin) {
            m_coins[outpoint] = *coin;
        } else {
            m_coins.erase(outpoint);
        }
    }
}

}  // namespace chainkit::chain
