#pragma once
// Host internals: listeners, the connection table, limits, stream dispatch.
// Everything runs on `ex`; coroutines keep the Impl alive via shared_from_this.

#include "yamux_session.hpp"

#include <asio/ip/tcp.hpp>

#include <chainkit/net/host.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chainkit::net {

struct Host::Impl : std::enable_shared_from_this<Host::Impl> {
    Impl(asio::any_io_executor e, Identity id, HostConfig cfg)
        : ex(std::move(e)),
          identity(std::move(id)),
          config(std::move(cfg)),
          budget(std::make_shared<detail::ReceiveBudget>(ex, config.max_host_receive_bytes)) {}

    struct Conn {
        std::shared_ptr<detail::YamuxSession> session;
        ConnectionInfo info;
        std::string ip;  // remote address of an inbound connection ("" for outbound)
        std::chrono::steady_clock::time_point since;
    };
    /// An inbound socket until its handshake ends: counts toward the inbound,
    /// per-address and pending-handshake limits, and gives its slots back
    /// however the handshake ends (a throw included). established() hands
    /// the inbound slot over to the connection table.
    class Handshaking {
    public:
        Handshaking(std::shared_ptr<Impl> impl, std::string ip);
        ~Handshaking();
        Handshaking(Handshaking&& other) noexcept;
        Handshaking(const Handshaking&) = delete;
        Handshaking& operator=(const Handshaking&) = delete;
        Handshaking& operator=(Handshaking&&) = delete;
        void established() noexcept { m_keep_inbound = true; }
        const std::string& ip() const noexcept { return m_ip; }

    private:
        std::shared_ptr<Impl> m_impl;  // owned: a coroutine frame drops its locals before its parameters
        std::string m_ip;
        bool m_keep_inbound = false;
    };

    asio::any_io_executor ex;
    Identity identity;
    HostConfig config;
    std::shared_ptr<detail::ReceiveBudget> budget;
    PeerStore store;
    std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> acceptors;
    std::vector<Multiaddr> listen_addrs;
    std::map<std::string, StreamHandler, std::less<>> handlers;
    std::vector<Conn> conns;
    std::size_t inbound = 0;   // established and handshaking
    std::size_t outbound = 0;  // established and handshaking
    std::size_t pending = 0;   // inbound handshakes
    std::map<std::string, std::size_t> handshaking_per_ip;
    ConnectionCallback on_open;
    ConnectionCallback on_close;
    bool stopped = false;

    asio::awaitable<void> accept_loop(std::shared_ptr<asio::ip::tcp::acceptor> acceptor);
    void admit(asio::ip::tcp::socket sock);
    std::string refusal(const std::string& ip);
    bool evict_inbound();
    std::size_t inbound_from(const std::string& ip) const;
    asio::awaitable<void> handle_inbound(asio::ip::tcp::socket sock, Handshaking slot);
    static Multiaddr to_multiaddr(const asio::ip::tcp::endpoint& ep);
    asio::awaitable<Result<PeerId>> dial(Multiaddr addr);
    asio::awaitable<Result<std::unique_ptr<detail::SecureChannel>>> connect_and_upgrade(Multiaddr addr);
    asio::awaitable<Result<std::shared_ptr<Stream>>> open_stream(PeerId peer, std::string protocol);
    asio::awaitable<void> serve_stream(std::shared_ptr<detail::StreamCore> core);

    void add_connection(std::unique_ptr<detail::SecureChannel> channel, ConnectionInfo info, std::string ip);
    void connection_closed(const detail::YamuxSession* session, std::error_code why);
    std::shared_ptr<detail::YamuxSession> find_session(const PeerId& peer) const;
    std::vector<std::shared_ptr<detail::YamuxSession>> sessions_of(const PeerId& peer) const;
    bool supports(std::string_view protocol) const;
    void stop();
};

}  // namespace chainkit::net
