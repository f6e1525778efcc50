// The chain protocol node: joins a Host (libnet/transport) to the chain
// state and mempool. It speaks /chainkit/sync/1.0.0 with every connected
// peer: the version handshake, headers-first sync with parallel block
// download in a moving window, relay of new blocks and transactions,
// address discovery (getaddr/addr) and bans for peers that send invalid
// data. docs/protocol.md ("Chain protocol") describes the messages and the
// rules; docs/architecture.md the threads.
//
// Threads: the Node, its Host and every callback live on the executor given
// to the constructor (the network thread). The chain state and the mempool
// live on another thread and are used only from jobs given to
// NodeDeps::run_on_chain, whose results are posted back, so a slow block
// never delays a ping. Call every method from the network executor.
#pragma once

#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/validation.hpp"
#include "chainkit/node/address_book.hpp"
#include "chainkit/node/ban_list.hpp"
#include "chainkit/node/messages.hpp"

#include <asio/awaitable.hpp>

#include <array>
#include <chainkit/net/host.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chainkit::node {

// Runs `job` on the thread that owns the chain state and mempool (e.g. a
// chain::ChainWorker's post). Jobs run in the order given.
using ChainRunner = std::function<void(std::function<void()> job)>;
// Seconds since the Unix epoch (adjusted time for the future-drift rule).
using WallClock = std::function<std::int64_t()>;

struct NodeConfig {
    std::vector<net::Multiaddr> connect;  // always kept connected (reconnect with back-off)
    std::size_t target_outbound = 8;      // outbound peers the node keeps from its address book
    std::size_t max_inbound = 117;
    std::string user_agent = "chainkit/0.1.0";
    std::size_t download_window = 1024;  // blocks ahead of the first missing one
    std::size_t blocks_in_flight_per_peer = 16;
    std::chrono::milliseconds stall_timeout{2000};     // a peer holding the window back this long loses its blocks
    std::chrono::milliseconds request_timeout{20000};  // a peer silent this long on a request is dropped
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds tick{250};  // housekeeping period (dials, stalls, timeouts)
    std::int64_t ban_seconds = DEFAULT_BAN_SECONDS;
    std::size_t max_send_queue_bytes = 4 << 20;  // per peer, before reading its requests pauses
    // A getdata(tx) unanswered this long is asked of another peer that announced it.
    std::chrono::milliseconds tx_request_timeout{60000};
    bool relay_transactions = true;
    // A storage fault (chain::RejectReason::storage_failure) is retried this
    // many times in a row, the first after storage_retry_delay, each later
    // one after twice the delay before; one more stops the node (on_fatal_error).
    std::size_t storage_retries = 3;
    std::chrono::milliseconds storage_retry_delay{1000};
};

struct NodeDeps {
    chain::ConsensusParams params;
    chain::ChainState& chain;  // used only through run_on_chain
    chain::Mempool& mempool;   // used only through run_on_chain
    ChainRunner run_on_chain;
    WallClock now;
    AddressStore* address_store = nullptr;        // optional persistence
    BanStore* ban_store = nullptr;                // optional persistence
    std::function<void(const std::string&)> log;  // info-level lines; default: spdlog
};

struct PeerInfo {
    std::string peer_id;
    std::string address;  // remote multiaddr
    bool inbound = false;
    bool handshake_done = false;
    std::string user_agent;
    std::uint64_t best_height = 0;  // best header height we know the peer has
    std::size_t blocks_in_flight = 0;
    std::optional<std::chrono::microseconds> latency;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
};

struct SyncStatus {
    std::uint64_t header_height = 0;  // best header
    std::uint64_t block_height = 0;   // active chain tip
    double blocks_per_second = 0;     // over the last few seconds
    bool synced = true;               // block_height == header_height and no peer announced more
};

// Upper bounds (seconds) of the block validation time histogram's buckets;
// a last, unbounded bucket follows.
inline constexpr std::array<double, 8> VALIDATION_TIME_BUCKETS{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0};
// Index of the traffic arrays: the message type byte (index 0 counts bodies
// whose type byte is not a known MessageType).
inline constexpr std::size_t MESSAGE_TYPE_SLOTS = 18;
inline constexpr std::size_t TX_TAKERS_KEPT = 10'000;

struct NodeCounters {
    std::uint64_t blocks_accepted = 0;
    std::uint64_t blocks_rejected = 0;  // blocks a peer is to blame for (and those submitted here)
    std::uint64_t txs_accepted = 0;
    std::uint64_t txs_rejected = 0;
    std::uint64_t peers_banned = 0;
    std::uint64_t blocks_unrequested = 0;  // received without a getdata of ours: ignored
    // Compact block relay (docs/protocol.md, "Compact block relay").
    std::uint64_t block_getdata_sent = 0;    // full blocks asked for (getdata items of type block)
    std::uint64_t cmpct_received = 0;        // cmpctblock messages read
    std::uint64_t cmpct_reconstructed = 0;   // blocks rebuilt from a cmpctblock and the pool alone
    std::uint64_t getblocktxn_sent = 0;      // missing transactions asked for
    std::uint64_t getblocktxn_indexes = 0;   // how many, over all those requests
    std::uint64_t blocktxn_completed = 0;    // blocks completed by a blocktxn
    std::uint64_t blocktxn_unsolicited = 0;  // blocktxn for no block rebuilt from that peer: ignored
    std::uint64_t cmpct_fallbacks = 0;       // merkle mismatch, wrong blocktxn or timeout: full block asked
    // The rejections above by chain::RejectReason name.
    std::map<std::string, std::uint64_t, std::less<>> blocks_rejected_by_reason;
    std::map<std::string, std::uint64_t, std::less<>> txs_rejected_by_reason;
    // Message body bytes read from and queued to peers, by message type.
    std::array<std::uint64_t, MESSAGE_TYPE_SLOTS> bytes_received_by_type{};
    std::array<std::uint64_t, MESSAGE_TYPE_SLOTS> bytes_sent_by_type{};
    // Chain-thread time to accept each block (validation and connection),
    // as a histogram: per bucket (not cumulative), the last one unbounded.
    std::array<std::uint64_t, VALIDATION_TIME_BUCKETS.size() + 1> validation_time_buckets{};
    double validation_seconds_sum = 0;
    std::uint64_t validations = 0;
};

class Node {
public:
    Node(asio::any_io_executor ex, net::Host& host, NodeDeps deps, NodeConfig config = {});
    ~Node();  // stop()s
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Serves the sync protocol, loads the address book and bans, registers
    // with the chain and mempool, and starts connecting. Call once.
    void start();
    // Saves the address book and bans, drops every peer, unregisters from
    // the chain. Idempotent.
    void stop();

    // Dials `addr` (with or without /p2p/<id>) and starts a session; the
    // address is kept and redialed if the session ends when `persistent`.
    asio::awaitable<Result<net::PeerId>> connect(net::Multiaddr addr, bool persistent = true);

    // A transaction made here: validated into the mempool, then announced.
    asio::awaitable<chain::ValidationResult> submit_transaction(chain::Transaction tx);
    // A block mined here: accepted into the chain, then announced.
    asio::awaitable<chain::AcceptResult> submit_block(chain::Block block);

    // Called on the network executor each time the active tip moves (a
    // block of ours or of a peer connected, or a reorg); replaces any previous.
    void on_tip_changed(std::function<void(const chain::ChainTip&)> callback);
    // Called once on the network executor, with one line saying why, when
    // the node stopped itself: a storage fault that outlived its retries
    // (docs/architecture.md, "Storage faults"). The app then exits non-zero.
    void on_fatal_error(std::function<void(const std::string&)> callback);
    // That line, once the node stopped itself; nullopt while it runs.
    [[nodiscard]] std::optional<std::string> fatal_error() const;
    // The active tip as the node last heard it from the chain thread.
    [[nodiscard]] chain::ChainTip tip() const;
    // The chain summary (tip, best header, the tip's bits and median time)
    // as the chain thread published it after the node's last block, header
    // batch or download refresh; null before the first (the node publishes
    // one at start). Thread-safe, unlike the other methods: callable from
    // any thread, it never waits on the chain thread or the executor.
    [[nodiscard]] std::shared_ptr<const chain::ChainSummary> chain_summary() const;

    // How many distinct remote peers took transaction `txid` from this node
    // (asked for it with getdata and were sent it) or announced it to us
    // after we had it: how `wallet send` knows the network has its payment.
    // Remembered for the last TX_TAKERS_KEPT transactions only.
    [[nodiscard]] std::size_t tx_taken_by(const chain::TxId& txid) const;

    [[nodiscard]] std::vector<PeerInfo> peers() const;
    [[nodiscard]] SyncStatus sync_status() const;
    [[nodiscard]] NodeCounters counters() const;
    [[nodiscard]] const BanList& bans() const;
    void ban(const std::string& peer_id, std::int64_t seconds, const std::string& reason);
    void unban(const std::string& peer_id);
    [[nodiscard]] const AddressBook& address_book() const;
    // The version nonce of this run (tests use it to detect self-connections).
    [[nodiscard]] std::uint64_t nonce() const;

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

}  // namespace chainkit::node
