// One connected peer: its sync stream, a bounded send queue with one write
// in flight, and what the node knows about it. Lives on the network
// executor; the writer coroutine holds a shared_ptr to it.
#pragma once

#include "chainkit/node/messages.hpp"
#include "chainkit/node/node.hpp"

#include "block_download.hpp"
#include "compact_block.hpp"
#include "known_inventory.hpp"

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <array>
#include <chainkit/net/stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace chainkit::node::detail {

// Blocks of one peer validating at once while its session keeps reading.
inline constexpr std::size_t MAX_BLOCKS_VALIDATING = 32;
// Bytes of a peer's transactions received and waiting for validation
// while its session keeps reading.
inline constexpr std::size_t MAX_TX_BYTES_PENDING = 1 << 20;

// The traffic counters' slot of a message body: its type byte when it names
// a MessageType, else 0 (the byte came from a peer).
[[nodiscard]] inline std::size_t message_type_slot(chain::ByteSpan body) noexcept {
    return !body.empty() && body[0] < MESSAGE_TYPE_SLOTS ? body[0] : 0;
}

class Peer : public std::enable_shared_from_this<Peer> {
public:
    Peer(const asio::any_io_executor& ex, PeerKey key, std::shared_ptr<net::Stream> stream, net::PeerId id,
         bool inbound, std::string remote, std::size_t max_queue_bytes);

    // Queues `m`; false (and nothing queued) when the queue already holds
    // more than its bound: the caller drops the peer. Transaction traffic
    // (tx, inv, getdata for transactions) is sent after everything else
    // queued, so a block announced or asked for never waits behind a
    // backlog of transactions; each kind keeps its own order.
    bool send(const Message& m);
    // The writer: sends queued messages in order until close().
    asio::awaitable<void> write_loop();
    // Waits until the queue is below half its bound (or the peer closed).
    asio::awaitable<void> wait_for_room();
    void close();

    // Transactions received and not yet validated (Node::Impl::on_tx).
    void queue_tx(chain::Transaction tx);
    [[nodiscard]] std::optional<chain::Transaction> next_tx();
    [[nodiscard]] std::size_t queued_txs() const noexcept { return m_txs.size(); }
    // Waits until fewer than MAX_TX_BYTES_PENDING are queued (or the peer closed).
    asio::awaitable<void> wait_for_tx_room();
    bool tx_validator_running = false;
    [[nodiscard]] bool closed() const noexcept { return m_closed; }
    [[nodiscard]] std::size_t queued_bytes() const noexcept { return m_queued_bytes; }

    const PeerKey key;
    const std::shared_ptr<net::Stream> stream;
    const net::PeerId id;
    const std::string id_text;
    const bool inbound;
    const std::string remote;
    const Clock::time_point connected_at = Clock::now();

    // Handshake.
    bool version_received = false;
    bool verack_received = false;
    bool ready() const noexcept { return version_received && verack_received; }
    VersionMsg version;
    // Sync.
    std::uint64_t best_height = 0;  // highest header we know it has on our best chain
    chain::Uint256 best_work;
    bool headers_requested = false;     // a getheaders is outstanding
    std::size_t blocks_validating = 0;  // handed to the chain thread, result not back yet
    bool getaddr_answered = false;
    double addr_tokens = 1000;  // addr rate limit (token bucket)
    Clock::time_point addr_tokens_at = Clock::now();
    KnownInventory known;
    std::vector<InvItem> tx_inv_queue;  // announcements waiting for Impl::flush_tx_invs
    // Compact blocks (node_compact.cpp).
    bool cmpct_capable = false;  // it sent sendcmpct: it answers getdata(compact block)
    bool wants_cmpct = false;    // it sent sendcmpct(1): new blocks go to it as cmpctblock
    bool asked_cmpct = false;    // we sent it sendcmpct(1)
    // The one block being rebuilt from this peer's cmpctblock (a getblocktxn
    // is out), its height and since when: bounded state per peer.
    std::optional<PartialBlock> partial;
    std::uint64_t partial_height = 0;
    Clock::time_point partial_since{};
    // Liveness.
    std::optional<std::uint64_t> ping_nonce;
    Clock::time_point ping_sent{};  // epoch: the first ping goes out at once
    Clock::time_point last_received = Clock::now();
    std::optional<std::chrono::microseconds> latency;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    // The node's totals of queued body bytes by message type (shared: a
    // peer's writer may outlive the node's bookkeeping of it).
    std::shared_ptr<std::array<std::uint64_t, MESSAGE_TYPE_SLOTS>> sent_by_type;
    std::string close_reason;

private:
    std::size_t m_max_queue_bytes;
    std::deque<chain::Bytes> m_queue;  // everything but transaction traffic
    std::deque<chain::Bytes> m_bulk;   // transaction traffic
    std::size_t m_queued_bytes = 0;
    std::deque<std::pair<chain::Transaction, std::size_t>> m_txs;  // with their sizes
    std::size_t m_tx_bytes = 0;
    bool m_closed = false;
    asio::steady_timer m_wake;     // the writer waits on it for work
    asio::steady_timer m_room;     // readers wait on it for queue room
    asio::steady_timer m_tx_room;  // the session waits on it for room in m_txs
};

}  // namespace chainkit::node::detail
