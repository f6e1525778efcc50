// A bounded set of hashes a peer is known to have (it announced or sent
// them, or we sent them to it), so nothing is announced to it twice. The
// oldest entries are forgotten first: forgetting costs at most a redundant
// announcement.
#pragma once

#include "chainkit/chain/hash.hpp"

#include <cstddef>
#include <deque>
#include <unordered_set>

namespace chainkit::node::detail {

class KnownInventory {
public:
    explicit KnownInventory(std::size_t max = 50'000) : m_max(max) {}

    // True if newly inserted.
    bool insert(const chain::Hash256& h) {
        if (!m_set.insert(h).second) return false;
        m_order.push_back(h);
        if (m_order.size() > m_max) {
            m_set.erase(m_order.front());
            m_order.pop_front();
        }
        return true;
    }
    [[nodiscard]] bool contains(const chain::Hash256& h) const { return m_set.contains(h); }

private:
    std::size_t m_max;
    std::unordered_set<chain::Hash256, chain::HashHasher> m_set;
    std::deque<chain::Hash256> m_order;
};

}  // namespace chainkit::node::detail
