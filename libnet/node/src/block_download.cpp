#include "block_download.hpp"

#include <algorithm>

namespace chainkit::node::detail {

void BlockDownload::set_needed(std::vector<NeededBlock> needed) {
    m_needed = std::move(needed);
}

std::vector<NeededBlock> BlockDownload::assign(PeerKey peer, std::uint64_t peer_height, Clock::time_point now) {
    std::vector<NeededBlock> out;
    auto& mine = m_by_peer[peer];
    if (m_needed.empty() || mine.size() >= m_config.per_peer) return out;
    const std::uint64_t window_end = m_needed.front().height + m_config.window;
    for (const auto& b : m_needed) {
        if (mine.size() >= m_config.per_peer || b.height >= window_end || b.height > peer_height) break;
        if (m_flight.contains(b.hash) || m_refused.contains({peer, b.hash})) continue;
        m_flight.emplace(b.hash, Request{peer, b.height, now});
        mine.insert(b.hash);
        out.push_back(b);
    }
    return out;
}

bool BlockDownload::claim(PeerKey peer, const chain::BlockHash& hash, std::uint64_t height, Clock::time_point now) {
    if (!m_flight.emplace(hash, Request{peer, height, now}).second) return false;
    m_by_peer[peer].insert(hash);
    return true;
}

std::optional<PeerKey> BlockDownload::holder(const chain::BlockHash& hash) const {
    const auto it = m_flight.find(hash);
    if (it == m_flight.end()) return std::nullopt;
    return it->second.peer;
}

bool BlockDownload::received(PeerKey peer, const chain::BlockHash& hash) {
    auto it = m_flight.find(hash);
    if (it == m_flight.end()) return false;
    const bool from_peer = it->second.peer == peer;
    m_highest_received = std::max(m_highest_received, it->second.height);
    m_by_peer[it->second.peer].erase(hash);
    m_flight.erase(it);
    std::erase_if(m_needed, [&](const NeededBlock& b) { return b.hash == hash; });
    return from_peer;
}

void BlockDownload::stored(const chain::BlockHash& hash) {
    if (!m_flight.contains(hash)) std::erase_if(m_needed, [&](const NeededBlock& b) { return b.hash == hash; });
}

void BlockDownload::refused(PeerKey peer, const chain::BlockHash& hash) {
    auto it = m_flight.find(hash);
    if (it != m_flight.end() && it->second.peer == peer) {
        m_flight.erase(it);
        m_by_peer[peer].erase(hash);
    }
    m_refused.insert({peer, hash});
}

void BlockDownload::remove_peer(PeerKey peer) {
    if (auto it = m_by_peer.find(peer); it != m_by_peer.end()) {
        for (const auto& h : it->second) m_flight.erase(h);
        m_by_peer.erase(it);
    }
    std::erase_if(m_refused, [&](const auto& p) { return p.first == peer; });
}

std::optional<PeerKey> BlockDownload::find_staller(Clock::time_point now) const {
    if (m_needed.empty()) return std::nullopt;
    const auto& first = m_needed.front();
    auto it = m_flight.find(first.hash);
    if (it == m_flight.end() || now - it->second.since < m_config.stall_timeout) return std::nullopt;
    // Stuck only if others delivered past it, or nothing else is left to ask.
    const bool others_delivered = m_highest_received > first.height;
    const bool nothing_left = std::all_of(m_needed.begin(), m_needed.end(), [&](const NeededBlock& b) {
        return b.height >= first.height + m_config.window || m_flight.contains(b.hash);
    });
    if (others_delivered || nothing_left) return it->second.peer;
    return std::nullopt;
}

std::vector<PeerKey> BlockDownload::timed_out(Clock::time_point now) const {
    std::set<PeerKey> out;
    for (const auto& [hash, req] : m_flight)
        if (now - req.since >= m_config.request_timeout) out.insert(req.peer);
    return {out.begin(), out.end()};
}

std::size_t BlockDownload::in_flight(PeerKey peer) const {
    auto it = m_by_peer.find(peer);
    return it == m_by_peer.end() ? 0 : it->second.size();
}

}  // namespace chainkit::node::detail
