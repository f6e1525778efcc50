#include "host_impl.hpp"

#include "builtin_protocols.hpp"
#include "deadline.hpp"
#include "log.hpp"
#include "multistream.hpp"
#include "upgrade.hpp"

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace chainkit::net {

using asio::ip::tcp;
using detail::log;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

// The application's connection callbacks run inside the accept loop (an
// eviction closes a connection), a handshake task or a posted handler: an
// exception from one would end the accept loop or escape io_context::run.
// It is logged instead, after the host's own tables are already updated.
void notify(const ConnectionCallback& cb, const ConnectionInfo& info, const char* event) noexcept {
    if (!cb) return;
    try {
        cb(info);
    } catch (const std::exception& e) {
        log()->error("connection {} callback for {} threw: {}", event, info.remote.to_string(), e.what());
    } catch (...) {
        log()->error("connection {} callback for {} threw an unknown exception", event, info.remote.to_string());
    }
}
}  // namespace

Multiaddr Host::Impl::to_multiaddr(const tcp::endpoint& ep) {
    const auto a = ep.address();
    return Multiaddr::tcp(a.is_v4() ? AddrKind::ip4 : AddrKind::ip6, a.to_string(), ep.port());
}

asio::awaitable<Result<std::unique_ptr<detail::SecureChannel>>> Host::Impl::connect_and_upgrade(Multiaddr addr) {
    tcp::resolver resolver(ex);
    const auto port = std::to_string(addr.port());
    auto flags = tcp::resolver::numeric_service;
    if (addr.kind() == AddrKind::ip4 || addr.kind() == AddrKind::ip6) flags |= tcp::resolver::numeric_host;
    auto [rec, results] = co_await resolver.async_resolve(addr.host(), port, flags, use_tuple);
    if (rec) co_return rec;
    tcp::socket sock(ex);
    for (const auto& entry : results) {
        const bool v4 = entry.endpoint().address().is_v4();
        if ((addr.kind() == AddrKind::dns4 && !v4) || (addr.kind() == AddrKind::dns6 && v4)) continue;
        std::error_code ignored;
        sock.close(ignored);
        auto [cec] = co_await sock.async_connect(entry.endpoint(), use_tuple);
        if (!cec) co_return co_await detail::upgrade_connection(std::move(sock), identity, true);
        rec = cec;
    }
    co_return rec ? rec : make_error_code(errc::not_connected);
}

asio::awaitable<Result<PeerId>> Host::Impl::dial(Multiaddr addr) {
    auto self = shared_from_this();
    if (stopped) co_return errc::host_stopped;
    if (addr.peer()) {
        if (*addr.peer() == identity.peer_id()) co_return errc::invalid_multiaddr;  // never dial ourselves
        if (find_session(*addr.peer())) co_return *addr.peer();
    }
    if (outbound >= config.max_outbound_connections) {
        log()->warn("not dialing {}: {} outbound connections (limit)", addr.to_string(), outbound);
        co_return errc::too_many_connections;
    }
    ++outbound;
    auto channel = co_await detail::with_deadline(connect_and_upgrade(addr), config.handshake_timeout);
    std::error_code why;
    if (!channel)
        why = make_error_code(errc::handshake_timeout);
    else if (!*channel)
        why = channel->error().code;
    else if (stopped)
        why = make_error_code(errc::host_stopped);
    else if (addr.peer() && (**channel)->remote_peer() != *addr.peer()) {
        log()->warn("dial {}: authenticated peer is {}; dropping", addr.to_string(),
                    (**channel)->remote_peer().to_string());
        why = make_error_code(errc::peer_id_mismatch);
    }
    if (why) {
        log()->info("dial {} failed: {}", addr.to_string(), why.message());
        --outbound;
        co_return why;
    }
    const auto peer = (**channel)->remote_peer();
    store.add_address(peer, addr);
    ConnectionInfo info{peer, addr.with_peer(peer), Direction::outbound};  // named: see handle_inbound
    add_connection(std::move(**channel), std::move(info), {});
    co_return peer;
}

void Host::Impl::add_connection(std::unique_ptr<detail::SecureChannel> channel, ConnectionInfo info, std::string ip) {
    const detail::YamuxConfig ycfg{
        .max_streams = config.max_streams_per_connection,
        .max_write_queue = config.max_write_queue_bytes,
        .stream_window = std::max(config.stream_window, detail::YAMUX_INITIAL_WINDOW),  // never below the spec's
        .keepalive = config.keepalive_interval,
        .ping_timeout = config.ping_timeout,
        .idle_timeout = config.idle_timeout,
        .message_stall_timeout = config.message_stall_timeout,
        .receive_budget = config.max_connection_receive_bytes,
        .host_budget = budget,
    };
    auto session =
        std::make_shared<detail::YamuxSession>(std::move(channel), info.direction == Direction::outbound, ycfg);
    conns.push_back(Conn{session, info, std::move(ip), std::chrono::steady_clock::now()});
    log()->info("connected {} {}", info.direction == Direction::inbound ? "from" : "to", info.remote.to_string());
    std::weak_ptr<Impl> weak = shared_from_this();
    session->start(
        [weak](std::shared_ptr<detail::StreamCore> core) {
            if (auto self = weak.lock())
                asio::co_spawn(self->ex, self->serve_stream(std::move(core)), detail::log_failure("stream handler"));
        },
        [weak, raw = session.get()](std::error_code why) {
            if (auto self = weak.lock()) self->connection_closed(raw, why);
        });
    notify(on_open, info, "opened");
}

void Host::Impl::connection_closed(const detail::YamuxSession* session, std::error_code why) {
    auto it = std::find_if(conns.begin(), conns.end(), [&](const Conn& c) { return c.session.get() == session; });
    if (it == conns.end()) return;
    const auto info = it->info;
    conns.erase(it);
    --(info.direction == Direction::inbound ? inbound : outbound);
    log()->info("disconnected {}: {}", info.remote.to_string(), why.message());
    notify(on_close, info, "closed");
}

bool Host::Impl::supports(std::string_view protocol) const {
    return protocol == detail::PING_PROTOCOL || protocol == detail::IDENTIFY_PROTOCOL || handlers.contains(protocol);
}

asio::awaitable<void> Host::Impl::serve_stream(std::shared_ptr<detail::StreamCore> core) {
    auto self = shared_from_this();
    const std::function<bool(std::string_view)> supported = [this](std::string_view p) { return supports(p); };
    auto chosen = co_await detail::with_deadline(detail::ms_handle(*core, supported), config.negotiation_timeout);
    if (!chosen || !*chosen) {
        log()->debug("peer {}: stream {} negotiation failed: {}", core->remote_peer().to_string(), core->id(),
                     chosen ? chosen->error().message : "timeout");
        core->reset();
        co_return;
    }
    core->protocol = **chosen;
    auto stream = std::make_shared<Stream>(core);
    const auto peer = core->remote_peer();
    if (core->protocol == detail::PING_PROTOCOL) co_return co_await detail::serve_ping(stream);
    if (core->protocol == detail::IDENTIFY_PROTOCOL) {
        detail::IdentifyInfo info{config.agent_version, listen_addrs, std::nullopt, {}};
        for (const auto& c : conns)
            if (c.info.peer == peer) info.observed = c.info.remote.without_peer();
        info.protocols = {std::string(detail::PING_PROTOCOL), std::string(detail::IDENTIFY_PROTOCOL)};
        for (const auto& [p, h] : handlers) info.protocols.push_back(p);
        co_return co_await detail::serve_identify(stream, detail::encode_identify(identity, info));
    }
    auto it = handlers.find(core->protocol);
    if (it == handlers.end()) co_return;  // removed meanwhile; dropping the stream resets it
    auto handler = it->second;            // a copy: the handler may replace itself
    try {
        co_await handler(stream, peer);
    } catch (const std::exception& e) {
        log()->error("handler for {} threw: {}", core->protocol, e.what());
        stream->reset();
    }
}

std::shared_ptr<detail::YamuxSession> Host::Impl::find_session(const PeerId& peer) const {
    for (const auto& c : conns)
        if (c.info.peer == peer && !c.session->is_closed()) return c.session;
    return nullptr;
}

std::vector<std::shared_ptr<detail::YamuxSession>> Host::Impl::sessions_of(const PeerId& peer) const {
    std::vector<std::shared_ptr<detail::YamuxSession>> out;
    for (const auto& c : conns)
        if (c.info.peer == peer) out.push_back(c.session);
    return out;
}

asio::awaitable<Result<std::shared_ptr<Stream>>> Host::Impl::open_stream(PeerId peer, std::string protocol) {
    auto self = shared_from_this();
    if (stopped) co_return errc::host_stopped;
    if (!find_session(peer)) {
        for (const auto& addr : store.addresses(peer))
            if (co_await dial(addr.with_peer(peer))) break;
    }
    auto session = find_session(peer);
    if (!session) co_return errc::not_connected;
    auto core = session->open_stream();
    if (!core) co_return core.error();
    (*core)->protocol = protocol;
    auto agreed = co_await detail::with_deadline(detail::ms_select(**core, protocol), config.negotiation_timeout);
    if (!agreed || !*agreed) {
        (*core)->reset();
        if (!agreed) co_return errc::timeout;
        co_return agreed->error();
    }
    co_return std::make_shared<Stream>(*core);
}

void Host::Impl::stop() {
    if (stopped) return;
    stopped = true;
    std::error_code ignored;
    for (auto& a : acceptors) a->close(ignored);
    auto copy = conns;
    for (auto& c : copy) c.session->close(make_error_code(errc::host_stopped));
}

}  // namespace chainkit::net
