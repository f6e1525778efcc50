#pragma once
// Host internals: listeners, the connection table, limits, stream dispatch.
// Everything runs on `ex`; coroutines keep the Impl alive via shared_from_this.

#include "yamux_session.hpp"

#include <asio/ip/tcp.hpp>

#include <chainkit/net/host.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chainkit::net {

struct Host::Impl : std::enable_shared_from_this<Host::Impl> {
    Impl(asio::any_io_executor e, Identity id, HostConfig cfg)
        : ex(std::move(e)), identity(std::move(id)), config(std::move(cfg)) {}

    struct Conn {
        std::shared_ptr<detail::YamuxSession> session;
        ConnectionInfo info;
    };

    asio::any_io_executor ex;
    Identity identity;
    HostConfig config;
    PeerStore store;
    std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> acceptors;
    std::vector<Multiaddr> listen_addrs;
    std::map<std::string, StreamHandler, std::less<>> handlers;
    std::vector<Conn> conns;
    std::size_t inbound = 0;   // established and handshaking
    std::size_t outbound = 0;  // established and handshaking
    ConnectionCallback on_open;
    ConnectionCallback on_close;
    bool stopped = false;

    asio::awaitable<void> accept_loop(std::shared_ptr<asio::ip::tcp::acceptor> acceptor);
    asio::awaitable<void> handle_inbound(asio::ip::tcp::socket sock);
    asio::awaitable<Result<PeerId>> dial(Multiaddr addr);
    asio::awaitable<Result<std::unique_ptr<detail::SecureChannel>>> connect_and_upgrade(Multiaddr addr);
    asio::awaitable<Result<std::shared_ptr<Stream>>> open_stream(PeerId peer, std::string protocol);
    asio::awaitable<void> serve_stream(std::shared_ptr<detail::StreamCore> core);

    void add_connection(std::unique_ptr<detail::SecureChannel> channel, ConnectionInfo info);
    void connection_closed(const detail::YamuxSession* session, std::error_code why);
    std::shared_ptr<detail::YamuxSession> find_session(const PeerId& peer) const;
    std::vector<std::shared_ptr<detail::YamuxSession>> sessions_of(const PeerId& peer) const;
    bool supports(std::string_view protocol) const;
    void stop();
};

}  // namespace chainkit::net
