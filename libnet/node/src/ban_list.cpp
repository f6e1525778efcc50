#include "chainkit/node/ban_list.hpp"

#include <algorithm>

namespace chainkit::node {

void BanList::ban(const std::string& peer, std::int64_t until, std::string reason) {
    auto& r = m_bans[peer];
    r.peer = peer;
    r.until = std::max(r.until, until);
    r.reason = std::move(reason);
}

bool BanList::is_banned(const std::string& peer, std::int64_t now) const {
    auto it = m_bans.find(peer);
    return it != m_bans.end() && it->second.until > now;
}

bool BanList::sweep(std::int64_t now) {
    return std::erase_if(m_bans, [&](const auto& p) { return p.second.until <= now; }) > 0;
}

std::vector<BanRecord> BanList::records() const {
    std::vector<BanRecord> out;
    for (const auto& [p, r] : m_bans) out.push_back(r);
    return out;
}

void BanList::restore(const std::vector<BanRecord>& records, std::int64_t now) {
    for (const auto& r : records)
        if (r.until > now) m_bans[r.peer] = r;
}

}  // namespace chainkit::node
