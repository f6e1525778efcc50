// Node internals, split by subject over node.cpp (lifecycle, sessions,
// dialing, housekeeping), node_handlers.cpp (one handler per message) and
// node_sync.cpp (headers-first download, relay, chain notifications).
// Everything here runs on `ex`; coroutines hold shared_from_this().
#pragma once

#include "chainkit/node/node.hpp"

#include "block_download.hpp"
#include "peer.hpp"
#include "peer_fault.hpp"
#include "summary_box.hpp"
#include "tx_requests.hpp"

#include <asio/steady_timer.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace chainkit::node {

struct Node::Impl : std::enable_shared_from_this<Node::Impl> {
    Impl(asio::any_io_executor e, net::Host& h, NodeDeps d, NodeConfig c);

    using PeerPtr = std::shared_ptr<detail::Peer>;

    asio::any_io_executor ex;
    net::Host& host;
    NodeDeps deps;
    NodeConfig config;
    std::size_t max_message;
    std::uint64_t nonce;
    std::mt19937_64 rng;
    bool started = false;
    bool stopped = false;

    std::map<detail::PeerKey, PeerPtr> peers;
    detail::PeerKey next_key = 1;
    std::set<std::string> dialing;           // addresses being dialed
    std::map<std::string, bool> persistent;  // configured address -> keep connected
    AddressBook book;
    bool book_renamed = false;  // an address swapped for its full form since the last save
    BanList bans;
    NodeCounters counters;
    std::shared_ptr<std::array<std::uint64_t, MESSAGE_TYPE_SLOTS>> sent_by_type =
        std::make_shared<std::array<std::uint64_t, MESSAGE_TYPE_SLOTS>>();
    detail::BlockDownload download;
    detail::TxRequests tx_requests;
    // Peers we asked to push new blocks as cmpctblock (sendcmpct 1), the one
    // that most recently delivered a new tip first; at most MAX_HB_PEERS.
    std::deque<detail::PeerKey> hb_peers;
    // The new tip as a cmpctblock, built once when it connected: the
    // getdata(cmpct_block) of every low-bandwidth peer is answered from it
    // (as Bitcoin Core's most recent compact block) instead of a store read
    // and a rehash of the whole block per request.
    struct RecentCmpct {
        chain::BlockHash hash;
        CmpctBlockMsg msg;
    };
    std::optional<RecentCmpct> recent_cmpct;
    asio::steady_timer ticker;
    // Transaction announcements wait in each peer's tx_inv_queue for up to
    // TX_INV_DELAY, then go out as one inv: a burst of N accepted
    // transactions costs each peer one message (and one chain lookup on its
    // side) per batch instead of N.
    asio::steady_timer tx_inv_timer;
    bool tx_inv_flush_pending = false;

    // What the chain told us last (mirrored from the chain thread).
    chain::ChainTip tip;
    chain::ChainTip best_header;
    bool needed_refresh_pending = false;
    bool needed_refresh_again = false;
    std::deque<std::pair<detail::Clock::time_point, std::uint64_t>> rate_samples;  // for blocks/s
    std::function<void(const chain::ChainTip&)> tip_listener;
    // Published by the chain jobs that change the chain (blocks, headers) or
    // read it for the download (at start); shared with those jobs.
    std::shared_ptr<detail::SummaryBox> summary = std::make_shared<detail::SummaryBox>();
    // Peers that took each of our transactions (Node::tx_taken_by), oldest
    // transaction first in tx_takers_order; bounded by TX_TAKERS_KEPT.
    // Storage faults (node_storage.cpp): how many since the tip last moved
    // (only progress proves the store works again), and whether a retry is scheduled.
    std::size_t storage_failures = 0;
    bool storage_retry_pending = false;
    std::optional<std::string> fatal;
    std::function<void(const std::string&)> fatal_listener;
    std::map<chain::TxId, std::set<std::string>> tx_takers;
    std::deque<chain::TxId> tx_takers_order;
    void tx_taken(const chain::TxId& txid, const PeerPtr& peer);

    // node.cpp
    void start();
    void stop();
    asio::awaitable<Result<net::PeerId>> connect(net::Multiaddr addr, bool persistent_addr);
    asio::awaitable<void> serve_inbound(std::shared_ptr<net::Stream> stream, net::PeerId from);
    asio::awaitable<void> run_session(PeerPtr peer);
    PeerPtr add_peer(std::shared_ptr<net::Stream> stream, const net::PeerId& id, bool inbound, std::string remote);
    void drop(const PeerPtr& peer, const std::string& why);
    void misbehaving(const PeerPtr& peer, const std::string& why);
    PeerPtr find_peer(detail::PeerKey key) const;
    PeerPtr find_peer(const std::string& id_text) const;
    std::size_t count_peers(bool inbound) const;
    asio::awaitable<void> tick_loop();
    void housekeeping();
    void dial_more();
    void save_state();
    void log(const std::string& line) const;
    std::int64_t now() const { return deps.now(); }
    VersionMsg make_version() const;

    // node_handlers.cpp
    asio::awaitable<bool> handle(const PeerPtr& peer, Message msg);
    asio::awaitable<void> on_version(const PeerPtr& peer, VersionMsg m);
    asio::awaitable<void> on_getheaders(const PeerPtr& peer, GetHeadersMsg m);
    asio::awaitable<void> on_headers(const PeerPtr& peer, HeadersMsg m);
    asio::awaitable<void> on_inv(const PeerPtr& peer, InvMsg m);
    asio::awaitable<void> on_getdata(const PeerPtr& peer, GetDataMsg m);
    void on_notfound(const PeerPtr& peer, const NotFoundMsg& m);
    asio::awaitable<void> on_block(const PeerPtr& peer, BlockMsg m);
    // A requested block arrived from `peer` (whole or rebuilt): out of the
    // download and validated, the session reading on meanwhile.
    // `hashes`: empty, or the block's (a compact block's rebuild has them).
    asio::awaitable<void> take_block(const PeerPtr& peer, chain::Block block, detail::TxHashes hashes = {});
    asio::awaitable<void> validate_block(PeerPtr peer, chain::Block block, detail::TxHashes hashes);
    asio::awaitable<void> on_tx(const PeerPtr& peer, TxMsg m);
    // Validates the peer's queued transactions one at a time (one runs per peer).
    asio::awaitable<void> validate_txs(PeerPtr peer);
    void on_getaddr(const PeerPtr& peer);
    void on_addr(const PeerPtr& peer, const AddrMsg& m);
    void on_pong(const PeerPtr& peer, const PongMsg& m);

    // node_compact.cpp: compact block relay (compact_block.hpp).
    void on_sendcmpct(const PeerPtr& peer, const SendCmpctMsg& m);
    asio::awaitable<void> on_cmpctblock(const PeerPtr& peer, CmpctBlockMsg m);
    asio::awaitable<void> on_getblocktxn(const PeerPtr& peer, GetBlockTxnMsg m);
    asio::awaitable<void> on_blocktxn(const PeerPtr& peer, BlockTxnMsg m);
    // Our side of the high-bandwidth choice: asks `peer` at handshake (the
    // first outbound ones), and a peer whose block became our tip.
    void offer_hb(const PeerPtr& peer);
    void block_delivered_by(detail::PeerKey key);
    // A block being rebuilt could not be: asks `peer` for it whole (no penalty).
    void fetch_full(const PeerPtr& peer, const chain::BlockHash& hash, std::uint64_t height, const char* why);
    // Partial blocks whose getblocktxn went unanswered too long: fetch_full.
    void expire_partials();

    // node_sync.cpp
    void on_ready(const PeerPtr& peer);
    // getheaders from our best-header locator, or continuing after `from`.
    void request_headers(const PeerPtr& peer, std::optional<chain::BlockHash> from = std::nullopt);
    asio::awaitable<void> refresh_needed();
    void request_blocks();
    void check_stalls();
    // A new tip to every peer not known to have it: as `cmpct` to those that
    // asked for high bandwidth (when given), else as a one-header `headers`.
    void announce_block(const chain::BlockHeader& header, const CmpctBlockMsg* cmpct);
    // The height of `hash` if it is our tip or, with `or_best_header`, our
    // best header (as this thread last heard from the chain); else nothing.
    [[nodiscard]] std::optional<std::uint64_t> known_height(const chain::BlockHash& hash, bool or_best_header) const {
        if (hash.is_zero()) return std::nullopt;
        if (hash == tip.hash) return tip.height;
        if (or_best_header && hash == best_header.hash) return best_header.height;
        return std::nullopt;
    }
    void announce_tx(const chain::TxId& txid, detail::PeerKey except);
    void flush_tx_invs();
    // Transactions a reorg returned to the pool, to every peer again.
    void reannounce_txs(const std::vector<chain::TxId>& txids);
    // getdata(tx) to each peer with free request slots (tx_requests).
    void request_txs();
    void tip_changed(const chain::ChainTip& new_tip, const chain::BlockHeader& header,
                     const CmpctBlockMsg* cmpct = nullptr);
    asio::awaitable<chain::AcceptResult> accept_block(chain::Block block, detail::PeerKey from,
                                                      detail::TxHashes hashes = {});
    asio::awaitable<chain::ValidationResult> accept_tx(chain::Transaction tx, detail::PeerKey from);

    // node_storage.cpp: a storage_failure from the chain thread is a fault
    // of this node, never of a peer: logged, retried, then the node stops.
    void storage_failed(const std::string& why);
    void storage_worked() { storage_failures = 0; }
    asio::awaitable<void> retry_storage(std::chrono::milliseconds delay);
    void stop_fatally(const std::string& why);
};

}  // namespace chainkit::node
