#pragma once
// The libp2p-compatible host: TCP + multistream-select + Noise XX + yamux.
//
//   asio::io_context io;
//   Host host(io.get_executor(), Identity::from_seed(1));
//   host.set_handler("/chainkit/echo/1.0.0",
//       [](std::shared_ptr<Stream> s, PeerId from) -> asio::awaitable<void> {...});
//   host.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
//   // in a coroutine:
//   auto peer = co_await host.dial(addr);            // addr ends in /p2p/<id>
//   auto s = co_await host.open_stream(*peer, "/chainkit/echo/1.0.0");
//
// Thread-safety: a Host and everything it hands out (streams, callbacks) live
// on the executor given to the constructor; call it only from there. Handlers
// and callbacks run on that executor. The host serves /ipfs/ping/1.0.0 and
// /ipfs/id/1.0.0 itself.

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chainkit/net/error.hpp>
#include <chainkit/net/identity.hpp>
#include <chainkit/net/multiaddr.hpp>
#include <chainkit/net/peer_id.hpp>
#include <chainkit/net/peer_store.hpp>
#include <chainkit/net/stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace chainkit::net {

using namespace std::chrono_literals;

/// Bounds and deadlines on everything a remote peer controls.
struct HostConfig {
    std::chrono::milliseconds handshake_timeout = 10s;    // TCP connect + upgrade
    std::chrono::milliseconds negotiation_timeout = 10s;  // per-stream protocol select
    std::chrono::milliseconds keepalive_interval = 15s;   // yamux ping period
    std::chrono::milliseconds ping_timeout = 10s;         // unanswered ping drops the link
    std::chrono::milliseconds idle_timeout = 300s;        // no open stream this long: close (0 = never)
    // A read_message begun (a byte of its length arrived) that then gets no
    // byte for this long: its stream is reset; a connection whose streams all
    // stall so, or that had 8 reset for it, is dropped (0 = never). Time spent paused by the receive
    // budgets does not count.
    std::chrono::milliseconds message_stall_timeout = 30s;
    std::size_t max_inbound_connections = 256;
    std::size_t max_outbound_connections = 128;
    std::size_t max_streams_per_connection = 256;
    std::uint32_t stream_window = 1 << 20;          // per-stream receive window = max buffered bytes (>= 256 KiB)
    std::size_t max_write_queue_bytes = 128 << 10;  // per connection, before writers wait; small batches pipeline best
    // Received bytes held for the application (stream buffers and partial
    // read_message bodies, counted by allocated capacity). Past a budget the
    // connection stops reading its socket (TCP back-pressure) until the
    // application drains it; nothing grows. See docs/reliability.md.
    std::size_t max_connection_receive_bytes = 16 << 20;  // per connection
    std::size_t max_host_receive_bytes = 256 << 20;       // all connections together
    std::size_t max_connections_per_ip = 8;               // inbound, established and handshaking
    std::size_t max_pending_handshakes = 32;              // inbound sockets not yet upgraded
    std::string agent_version = "chainkit/0.1.0";
};

enum class Direction { inbound, outbound };

struct ConnectionInfo {
    PeerId peer;
    Multiaddr remote;  // remote socket address, with /p2p/<peer>
    Direction direction;
};

using StreamHandler = std::function<asio::awaitable<void>(std::shared_ptr<Stream>, PeerId)>;
using ConnectionCallback = std::function<void(const ConnectionInfo&)>;

class Host {
public:
    Host(asio::any_io_executor ex, Identity identity, HostConfig config = {});
    ~Host();  // stop()s
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    const PeerId& peer_id() const noexcept;
    const HostConfig& config() const noexcept;

    /// Binds and starts accepting. Port 0 picks a free port (see listen_addresses).
    Result<void> listen(const Multiaddr& addr);
    /// Full dialable addresses: /ip4/A/tcp/P/p2p/<our id>. A listener on
    /// 0.0.0.0 or :: is listed once per interface address (non-loopback first).
    std::vector<Multiaddr> listen_addresses() const;

    /// Connects and upgrades; if `addr` carries /p2p/<id> the authenticated peer
    /// must be that one (errc::peer_id_mismatch otherwise). Reuses an existing
    /// connection to that peer. Records the address in the peer store.
    asio::awaitable<Result<PeerId>> dial(const Multiaddr& addr);
    /// Opens a stream negotiated to `protocol` on a connection to `peer`,
    /// dialing the peer-store addresses if not connected.
    asio::awaitable<Result<std::shared_ptr<Stream>>> open_stream(const PeerId& peer, std::string protocol);
    /// One /ipfs/ping/1.0.0 round trip (32 random bytes echoed).
    asio::awaitable<Result<std::chrono::microseconds>> ping(const PeerId& peer);

    /// Handler for inbound streams negotiated to `protocol` (replaces any previous).
    void set_handler(std::string protocol, StreamHandler handler);
    void remove_handler(const std::string& protocol);
    void on_connection_opened(ConnectionCallback cb);
    void on_connection_closed(ConnectionCallback cb);

    bool is_connected(const PeerId& peer) const;
    std::vector<PeerId> connected_peers() const;
    std::size_t connection_count(Direction d) const;

    /// Received bytes held for the application, and connections whose reads
    /// are paused because a receive budget is spent.
    struct ReceiveStats {
        std::size_t buffered_bytes = 0;
        std::size_t paused_connections = 0;
    };
    ReceiveStats receive_stats() const;
    void disconnect(const PeerId& peer);

    PeerStore& peer_store() noexcept;

    /// Closes listeners and every connection; pending operations fail with
    /// errc::host_stopped. Idempotent.
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

}  // namespace chainkit::net
