// Which block bodies to ask of which peer during headers-first sync: a
// moving window over the best-header chain (Bitcoin Core's
// BLOCK_DOWNLOAD_WINDOW), a cap on requests in flight per peer, and the
// detection of a peer that holds the window back (BLOCK_STALLING_TIMEOUT,
// here 2 s: btcd waits 3 minutes).
//
// Pure bookkeeping: no I/O, no clock reads (time is a parameter). Owned by
// the node's executor.
#pragma once

#include "chainkit/chain/hash.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace chainkit::node::detail {

using PeerKey = std::uint64_t;
using Clock = std::chrono::steady_clock;

struct DownloadConfig {
    std::size_t window = 1024;  // blocks ahead of the first missing one
    std::size_t per_peer = 16;  // requests in flight per peer
    Clock::duration stall_timeout = std::chrono::seconds(2);
    Clock::duration request_timeout = std::chrono::seconds(20);  // a peer silent this long is dropped
};

struct NeededBlock {
    chain::BlockHash hash;
    std::uint64_t height = 0;
};

class BlockDownload {
public:
    explicit BlockDownload(DownloadConfig config = {}) : m_config(config) {}

    // The blocks the chain lacks along its best-header chain, in height
    // order (the chain's blocks_to_download). Replaces the previous list;
    // requests in flight stay in flight.
    void set_needed(std::vector<NeededBlock> needed);
    // Up to per_peer minus what `peer` has in flight: needed blocks within
    // the window at heights up to `peer_height`, not in flight elsewhere
    // and not refused by this peer before. Marks them in flight.
    [[nodiscard]] std::vector<NeededBlock> assign(PeerKey peer, std::uint64_t peer_height, Clock::time_point now);
    // Marks `hash` (at `height`) in flight from `peer` outside the needed
    // list: a compact block it pushed unasked is being rebuilt from it. False
    // (nothing changed) when the block is in flight already.
    bool claim(PeerKey peer, const chain::BlockHash& hash, std::uint64_t height, Clock::time_point now);
    // The peer `hash` is in flight from, if any.
    [[nodiscard]] std::optional<PeerKey> holder(const chain::BlockHash& hash) const;
    // A block arrived: no longer in flight. True if it was asked of `peer`.
    bool received(PeerKey peer, const chain::BlockHash& hash);
    // `hash` is stored now: out of the needed list (a list computed before
    // its connect still names it; asking for it again would fetch it twice).
    void stored(const chain::BlockHash& hash);
    // `peer` does not have `hash` (notfound): ask someone else.
    void refused(PeerKey peer, const chain::BlockHash& hash);
    // Forgets `peer`: its requests become assignable again.
    void remove_peer(PeerKey peer);

    // The peer holding the first block of the window for longer than
    // stall_timeout while a later block of the window already arrived (or
    // nothing else is left to ask for): the window is stuck behind it.
    [[nodiscard]] std::optional<PeerKey> find_staller(Clock::time_point now) const;
    // Peers with a request older than request_timeout.
    [[nodiscard]] std::vector<PeerKey> timed_out(Clock::time_point now) const;

    [[nodiscard]] std::size_t in_flight(PeerKey peer) const;
    [[nodiscard]] std::size_t in_flight_total() const noexcept { return m_flight.size(); }
    [[nodiscard]] std::size_t needed_count() const noexcept { return m_needed.size(); }
    [[nodiscard]] bool is_in_flight(const chain::BlockHash& h) const { return m_flight.contains(h); }
    // Blocks received since the window start moved (for find_staller).
    void note_connected_height(std::uint64_t height) { m_connected_height = height; }

private:
    struct Request {
        PeerKey peer = 0;
        std::uint64_t height = 0;
        Clock::time_point since;
    };

    DownloadConfig m_config;
    std::vector<NeededBlock> m_needed;
    std::unordered_map<chain::BlockHash, Request, chain::HashHasher> m_flight;
    std::map<PeerKey, std::set<chain::BlockHash>> m_by_peer;
    std::set<std::pair<PeerKey, chain::BlockHash>> m_refused;
    // Highest height received in the current window (blocks that arrived
    // but wait for their parent).
    std::uint64_t m_highest_received = 0;
    std::uint64_t m_connected_height = 0;
};

}  // namespace chainkit::node::detail
