// Which announced transactions to ask of which peer: Bitcoin Core's
// TxRequestTracker, in small. Every announcement is remembered (within a
// per-peer and a total bound) until the transaction arrives from anyone.
// A peer has at most max_in_flight_per_peer requests outstanding, so the
// transactions it sends us never queue up deep in front of its block
// traffic; the rest wait, oldest announcement first, for a free slot. A
// transaction is asked of one peer at a time, and a request that fails
// (notfound, timeout, the peer left) goes to another peer that announced it.
//
// Pure bookkeeping: no I/O, no clock reads (time is a parameter). Owned by
// the node's executor.
#pragma once

#include "chainkit/chain/hash.hpp"

#include "block_download.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace chainkit::node::detail {

struct TxRequestConfig {
    std::size_t max_in_flight_per_peer = 100;  // Core's MAX_PEER_TX_REQUEST_IN_FLIGHT
    // Announcements remembered per peer and in all: a node announces at its
    // full acceptance rate (no trickle), so more than Core's 5,000 per peer.
    std::size_t max_announced_per_peer = 20'000;
    std::size_t max_announced_total = 200'000;
    Clock::duration timeout = std::chrono::seconds(60);
};

class TxRequests {
public:
    explicit TxRequests(TxRequestConfig config = {}) : m_config(config) {}

    // `peer` announced `txid` (which we lack). False when not remembered:
    // already announced by this peer, or a bound is reached.
    bool announced(PeerKey peer, const chain::TxId& txid);
    // Up to the peer's free slots: transactions it announced that are not in
    // flight anywhere, oldest announcement first. Marks them asked of `peer`.
    [[nodiscard]] std::vector<chain::TxId> take_requests(PeerKey peer, Clock::time_point now);
    // The transaction arrived (from anyone, asked or not): every
    // announcement of it is forgotten and its request slot freed.
    void received(const chain::TxId& txid);
    // `peer` does not have `txid`: ask another announcer.
    void not_found(PeerKey peer, const chain::TxId& txid);
    // Requests older than the timeout fail as not_found; how many did.
    std::size_t expire(Clock::time_point now);
    // Forgets `peer`: what it had in flight goes to other announcers.
    void remove_peer(PeerKey peer);

    [[nodiscard]] std::size_t in_flight(PeerKey peer) const;
    [[nodiscard]] std::size_t max_in_flight_per_peer() const noexcept { return m_config.max_in_flight_per_peer; }
    [[nodiscard]] std::size_t announced_by(PeerKey peer) const;
    [[nodiscard]] std::size_t announced_total() const noexcept { return m_total; }
    [[nodiscard]] std::size_t tracked() const noexcept { return m_entries.size(); }

private:
    struct Announcement {
        PeerKey peer = 0;
        std::uint64_t seq = 0;  // arrival order over all peers
    };
    struct Entry {
        std::vector<Announcement> by;
        std::optional<PeerKey> asked;  // whom the request is in flight to
        Clock::time_point since;
    };
    struct PeerState {
        // Announcements whose transaction is not in flight to anyone: the
        // candidates for this peer's next requests. Every other announcement
        // of the peer is on an entry in m_flight.
        std::map<std::uint64_t, chain::TxId> waiting;
        std::size_t announced = 0;
        std::size_t in_flight = 0;
    };

    // Drops `peer`'s announcement of the entry at `it`; if that was the
    // request in flight, the remaining announcers get it back as waiting.
    void fail(PeerKey peer, std::unordered_map<chain::TxId, Entry, chain::HashHasher>::iterator it);

    TxRequestConfig m_config;
    std::unordered_map<chain::TxId, Entry, chain::HashHasher> m_entries;
    std::unordered_map<PeerKey, PeerState> m_peers;
    // Requests in flight by age (at most max_in_flight_per_peer per peer).
    std::set<std::tuple<Clock::time_point, PeerKey, chain::TxId>> m_flight;
    std::size_t m_total = 0;
    std::uint64_t m_next_seq = 0;
};

}  // namespace chainkit::node::detail
