#include <algorithm>
#include <chainkit/net/peer_store.hpp>

namespace chainkit::net {

bool PeerStore::add_address(const PeerId& peer, const Multiaddr& addr) {
    auto it = m_addrs.find(peer);
    if (it == m_addrs.end()) {
        if (m_addrs.size() >= m_max_peers) return false;
        it = m_addrs.emplace(peer, std::vector<Multiaddr>{}).first;
    }
    auto& list = it->second;
    const auto bare = addr.without_peer();
    list.erase(std::remove(list.begin(), list.end(), bare), list.end());
    list.insert(list.begin(), bare);
    if (list.size() > m_max_addrs) list.resize(m_max_addrs);  // forget the oldest
    return true;
}

std::vector<Multiaddr> PeerStore::addresses(const PeerId& peer) const {
    auto it = m_addrs.find(peer);
    return it == m_addrs.end() ? std::vector<Multiaddr>{} : it->second;
}

std::vector<PeerId> PeerStore::peers() const {
    std::vector<PeerId> out;
    out.reserve(m_addrs.size());
    for (const auto& [p, _] : m_addrs) out.push_back(p);
    return out;
}

void PeerStore::remove(const PeerId& peer) {
    m_addrs.erase(peer);
}

}  // namespace chainkit::net
