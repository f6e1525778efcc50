#include "tx_requests.hpp"

#include <algorithm>

namespace chainkit::node::detail {

bool TxRequests::announced(PeerKey peer, const chain::TxId& txid) {
    auto& ps = m_peers[peer];
    if (ps.announced >= m_config.max_announced_per_peer || m_total >= m_config.max_announced_total) return false;
    auto& e = m_entries[txid];
    if (std::any_of(e.by.begin(), e.by.end(), [&](const Announcement& a) { return a.peer == peer; })) return false;
    const auto seq = m_next_seq++;
    e.by.push_back({peer, seq});
    ++ps.announced;
    ++m_total;
    // In flight elsewhere: this announcement is the fallback should it fail.
    if (!e.asked) ps.waiting.emplace(seq, txid);
    return true;
}

std::vector<chain::TxId> TxRequests::take_requests(PeerKey peer, Clock::time_point now) {
    std::vector<chain::TxId> out;
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end()) return out;
    auto& ps = pit->second;
    while (ps.in_flight < m_config.max_in_flight_per_peer && !ps.waiting.empty()) {
        const auto txid = ps.waiting.begin()->second;
        ps.waiting.erase(ps.waiting.begin());
        auto& e = m_entries.at(txid);
        e.asked = peer;
        e.since = now;
        // Asked of one peer at a time: the others keep it only as a fallback.
        for (const auto& a : e.by)
            if (a.peer != peer) m_peers.at(a.peer).waiting.erase(a.seq);
        ++ps.in_flight;
        m_flight.emplace(now, peer, txid);
        out.push_back(txid);
    }
    return out;
}

void TxRequests::received(const chain::TxId& txid) {
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return;
    auto& e = it->second;
    if (e.asked) {
        --m_peers.at(*e.asked).in_flight;
        m_flight.erase({e.since, *e.asked, txid});
    }
    for (const auto& a : e.by) {
        auto& ps = m_peers.at(a.peer);
        ps.waiting.erase(a.seq);
        --ps.announced;
        --m_total;
    }
    m_entries.erase(it);
}

void TxRequests::fail(PeerKey peer, std::unordered_map<chain::TxId, Entry, chain::HashHasher>::iterator it) {
    auto& e = it->second;
    const auto txid = it->first;
    auto a = std::find_if(e.by.begin(), e.by.end(), [&](const Announcement& x) { return x.peer == peer; });
    if (a == e.by.end()) return;
    auto& ps = m_peers.at(peer);
    ps.waiting.erase(a->seq);
    --ps.announced;
    --m_total;
    e.by.erase(a);
    if (e.asked == peer) {
        --ps.in_flight;
        m_flight.erase({e.since, peer, txid});
        e.asked.reset();
        for (const auto& other : e.by) m_peers.at(other.peer).waiting.emplace(other.seq, txid);
    }
    if (e.by.empty()) m_entries.erase(it);
}

void TxRequests::not_found(PeerKey peer, const chain::TxId& txid) {
    if (auto it = m_entries.find(txid); it != m_entries.end()) fail(peer, it);
}

std::size_t TxRequests::expire(Clock::time_point now) {
    std::size_t n = 0;
    while (!m_flight.empty() && now - std::get<0>(*m_flight.begin()) >= m_config.timeout) {
        const auto [since, peer, txid] = *m_flight.begin();
        fail(peer, m_entries.find(txid));  // in m_flight, so tracked and asked of `peer`
        ++n;
    }
    return n;
}

void TxRequests::remove_peer(PeerKey peer) {
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end()) return;
    // Its waiting announcements, then those on entries in flight (to it or
    // to others): every announcement of a peer is in one of the two.
    std::vector<chain::TxId> mine;
    for (const auto& [seq, txid] : pit->second.waiting) mine.push_back(txid);
    for (const auto& [since, asked, txid] : m_flight) mine.push_back(txid);
    for (const auto& txid : mine)
        if (auto it = m_entries.find(txid); it != m_entries.end()) fail(peer, it);
    m_peers.erase(peer);
}

std::size_t TxRequests::in_flight(PeerKey peer) const {
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.in_flight;
}

std::size_t TxRequests::announced_by(PeerKey peer) const {
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.announced;
}

}  // namespace chainkit::node::detail
