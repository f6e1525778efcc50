#include "builtin_protocols.hpp"
#include "deadline.hpp"
#include "host_impl.hpp"
#include "interfaces.hpp"
#include "log.hpp"
#include "multistream.hpp"
#include "upgrade.hpp"

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>

#include <chainkit/net/host.hpp>
#include <map>
#include <set>

namespace chainkit::net {

using asio::ip::tcp;
using detail::log;

Host::Host(asio::any_io_executor ex, Identity identity, HostConfig config)
    : m_impl(std::make_shared<Impl>(std::move(ex), std::move(identity), std::move(config))) {}

Host::~Host() {
    stop();
}

const PeerId& Host::peer_id() const noexcept {
    return m_impl->identity.peer_id();
}
const HostConfig& Host::config() const noexcept {
    return m_impl->config;
}
PeerStore& Host::peer_store() noexcept {
    return m_impl->store;
}
std::vector<Multiaddr> Host::listen_addresses() const {
    return m_impl->listen_addrs;
}

void Host::set_handler(std::string protocol, StreamHandler handler) {
    m_impl->handlers[std::move(protocol)] = std::move(handler);
}
void Host::remove_handler(const std::string& protocol) {
    m_impl->handlers.erase(protocol);
}
void Host::on_connection_opened(ConnectionCallback cb) {
    m_impl->on_open = std::move(cb);
}
void Host::on_connection_closed(ConnectionCallback cb) {
    m_impl->on_close = std::move(cb);
}

bool Host::is_connected(const PeerId& peer) const {
    return m_impl->find_session(peer) != nullptr;
}

std::vector<PeerId> Host::connected_peers() const {
    std::set<PeerId> peers;
    for (const auto& c : m_impl->conns) peers.insert(c.info.peer);
    return {peers.begin(), peers.end()};
}

std::size_t Host::connection_count(Direction d) const {
    return d == Direction::inbound ? m_impl->inbound : m_impl->outbound;
}

Host::ReceiveStats Host::receive_stats() const {
    return {m_impl->budget->used, m_impl->budget->paused};
}

void Host::disconnect(const PeerId& peer) {
    for (auto& s : m_impl->sessions_of(peer)) s->close(make_error_code(errc::connection_closed));
}

void Host::stop() {
    m_impl->stop();
}

Result<void> Host::listen(const Multiaddr& addr) {
    if (m_impl->stopped) return errc::host_stopped;
    if (addr.kind() != AddrKind::ip4 && addr.kind() != AddrKind::ip6) return errc::invalid_multiaddr;
    std::error_code ec;
    const auto ip = asio::ip::make_address(addr.host(), ec);
    if (ec) return errc::invalid_multiaddr;
    auto acceptor = std::make_shared<tcp::acceptor>(m_impl->ex);
    const tcp::endpoint ep(ip, addr.port());
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        log()->error("cannot listen on {}: {}", addr.to_string(), ec.message());
        return ec;
    }
    const auto port = acceptor->local_endpoint().port();
    // 0.0.0.0 or :: is not an address anyone can dial: announce each interface's.
    std::vector<std::string> hosts{addr.host()};
    if (ip.is_unspecified()) {
        if (auto own = detail::interface_addresses(ip.is_v6()); !own.empty()) hosts = std::move(own);
    }
    for (const auto& host : hosts) {
        auto full = Multiaddr::tcp(addr.kind(), host, port, peer_id());
        m_impl->listen_addrs.push_back(full);
        log()->info("listening on {}", full.to_string());
    }
    m_impl->acceptors.push_back(acceptor);
    asio::co_spawn(m_impl->ex, m_impl->accept_loop(acceptor), detail::log_failure("accept loop"));
    return {};
}

asio::awaitable<Result<PeerId>> Host::dial(const Multiaddr& addr) {
    auto impl = m_impl;
    co_return co_await impl->dial(addr);
}

asio::awaitable<Result<std::shared_ptr<Stream>>> Host::open_stream(const PeerId& peer, std::string protocol) {
    auto impl = m_impl;
    co_return co_await impl->open_stream(peer, std::move(protocol));
}

asio::awaitable<Result<std::chrono::microseconds>> Host::ping(const PeerId& peer) {
    auto impl = m_impl;
    auto stream = co_await impl->open_stream(peer, std::string(detail::PING_PROTOCOL));
    if (!stream) co_return stream.error();
    auto rtt = co_await detail::with_deadline(detail::ping_once(**stream), impl->config.ping_timeout);
    if (!rtt) co_return errc::timeout;
    (void)co_await (*stream)->close_write();
    co_return std::move(*rtt);
}

}  // namespace chainkit::net
