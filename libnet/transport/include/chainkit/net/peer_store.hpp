#pragma once
// Known addresses of peers, bounded (peers and addresses per peer), most
// recently added first. Not thread-safe: used from the host's executor.

#include <chainkit/net/multiaddr.hpp>
#include <chainkit/net/peer_id.hpp>
#include <cstddef>
#include <map>
#include <vector>

namespace chainkit::net {

class PeerStore {
public:
    explicit PeerStore(std::size_t max_peers = 4096, std::size_t max_addrs_per_peer = 8)
        : m_max_peers(max_peers), m_max_addrs(max_addrs_per_peer) {}

    /// Stores `addr` (its /p2p part stripped). Returns false if the store is full.
    bool add_address(const PeerId& peer, const Multiaddr& addr);
    std::vector<Multiaddr> addresses(const PeerId& peer) const;
    std::vector<PeerId> peers() const;
    void remove(const PeerId& peer);
    std::size_t size() const noexcept { return m_addrs.size(); }

private:
    std::size_t m_max_peers;
    std::size_t m_max_addrs;
    std::map<PeerId, std::vector<Multiaddr>> m_addrs;
};

}  // namespace chainkit::net
