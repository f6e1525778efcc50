// Inbound admission: the accept loop (with back-off on errors such as
// EMFILE), the per-address and pending-handshake limits, and eviction of the
// least useful inbound peer when every slot is taken.
#include "deadline.hpp"
#include "host_impl.hpp"
#include "log.hpp"
#include "upgrade.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace chainkit::net {

using asio::ip::tcp;
using detail::log;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds FIRST_BACKOFF{10};
constexpr std::chrono::milliseconds MAX_BACKOFF{1000};
}  // namespace

Host::Impl::Handshaking::Handshaking(std::shared_ptr<Impl> impl, std::string ip)
    : m_impl(std::move(impl)), m_ip(std::move(ip)) {
    ++m_impl->inbound;
    ++m_impl->pending;
    ++m_impl->handshaking_per_ip[m_ip];
}

Host::Impl::Handshaking::Handshaking(Handshaking&& other) noexcept
    : m_impl(std::move(other.m_impl)), m_ip(std::move(other.m_ip)), m_keep_inbound(other.m_keep_inbound) {}

Host::Impl::Handshaking::~Handshaking() {
    if (!m_impl) return;
    --m_impl->pending;
    if (auto it = m_impl->handshaking_per_ip.find(m_ip); it != m_impl->handshaking_per_ip.end() && --it->second == 0)
        m_impl->handshaking_per_ip.erase(it);
    if (!m_keep_inbound) --m_impl->inbound;
}

asio::awaitable<void> Host::Impl::accept_loop(std::shared_ptr<tcp::acceptor> acceptor) {
    auto self = shared_from_this();
    asio::steady_timer pause(ex);
    std::chrono::milliseconds backoff{0};
    std::size_t failures = 0;
    while (!stopped && acceptor->is_open()) {
        auto [ec, sock] = co_await acceptor->async_accept(use_tuple);
        if (stopped || ec == asio::error::operation_aborted) break;
        if (ec) {
            // EMFILE and friends persist until something closes: retrying at
            // once would spin. One line per back-off episode, not per attempt.
            if (failures++ == 0)
                log()->warn("accept failed: {}; backing off (up to {} ms)", ec.message(), MAX_BACKOFF.count());
            backoff = std::min(MAX_BACKOFF, backoff.count() == 0 ? FIRST_BACKOFF : 2 * backoff);
            pause.expires_after(backoff);
            co_await pause.async_wait(use_tuple);
            continue;
        }
        if (failures > 0) log()->info("accepting again after {} failed attempts", failures);
        failures = 0;
        backoff = {};
        try {
            admit(std::move(sock));
        } catch (const std::exception& e) {  // one socket's failure must not end the listener
            log()->error("admitting an inbound connection failed: {}", e.what());
        }
    }
}

std::size_t Host::Impl::inbound_from(const std::string& ip) const {
    std::size_t n = 0;
    for (const auto& c : conns)
        if (c.info.direction == Direction::inbound && c.ip == ip && !c.session->is_closed()) ++n;
    if (auto it = handshaking_per_ip.find(ip); it != handshaking_per_ip.end()) n += it->second;
    return n;
}

// Empty when the socket may come in (after evicting someone if needed).
std::string Host::Impl::refusal(const std::string& ip) {
    if (const auto n = inbound_from(ip); n >= config.max_connections_per_ip)
        return fmt::format("{} connections from this address (limit)", n);
    if (pending >= config.max_pending_handshakes) return fmt::format("{} pending handshakes (limit)", pending);
    if (inbound >= config.max_inbound_connections && !evict_inbound())
        return fmt::format("{} inbound connections (limit) and none may be evicted", inbound);
    return {};
}

void Host::Impl::admit(tcp::socket sock) {
    std::error_code ec;
    const auto ep = sock.remote_endpoint(ec);
    if (ec) return;  // gone already
    const auto ip = ep.address().to_string();
    if (const auto why = refusal(ip); !why.empty()) {
        log()->warn("refusing inbound connection from {}: {}", to_multiaddr(ep).to_string(), why);
        sock.close(ec);
        return;
    }
    Handshaking slot(shared_from_this(), ip);
    asio::co_spawn(ex, handle_inbound(std::move(sock), std::move(slot)), detail::log_failure("inbound handshake"));
}

// As Bitcoin Core does (CConnman::AttemptToEvictConnection), in small: the
// longest-connected half of the inbound peers is protected; of the rest, the
// address holding the most connections loses its youngest one. Handshaking
// sockets are bounded by their own limit and deadline, not evicted.
bool Host::Impl::evict_inbound() {
    std::vector<const Conn*> candidates;
    for (const auto& c : conns)
        if (c.info.direction == Direction::inbound && !c.session->is_closed()) candidates.push_back(&c);
    std::sort(candidates.begin(), candidates.end(), [](const Conn* a, const Conn* b) { return a->since < b->since; });
    candidates.erase(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(candidates.size() / 2));
    if (candidates.empty()) return false;
    std::map<std::string, std::size_t> per_ip;
    for (const auto* c : candidates) ++per_ip[c->ip];
    const auto busiest = std::max_element(per_ip.begin(), per_ip.end(), [](const auto& a, const auto& b) {
                             return a.second < b.second;
                         })->first;
    const Conn* victim = nullptr;
    for (const auto* c : candidates)
        if (c->ip == busiest && (!victim || c->since > victim->since)) victim = c;
    auto session = victim->session;
    log()->warn("evicting inbound peer {} to admit a newcomer ({} connections from its address)",
                victim->info.remote.to_string(), per_ip[busiest]);
    session->close(make_error_code(errc::too_many_connections));
    connection_closed(session.get(), make_error_code(errc::too_many_connections));  // frees the slot now
    return true;
}

asio::awaitable<void> Host::Impl::handle_inbound(tcp::socket sock, Handshaking slot) {
    auto self = shared_from_this();
    std::error_code ec;
    const auto remote = to_multiaddr(sock.remote_endpoint(ec));
    auto channel = co_await detail::with_deadline(detail::upgrade_connection(std::move(sock), identity, false),
                                                  config.handshake_timeout);
    if (!channel || !*channel || stopped) {
        const auto why = !channel    ? make_error_code(errc::handshake_timeout)
                         : !*channel ? channel->error().code
                                     : make_error_code(errc::host_stopped);
        log()->info("inbound handshake from {} failed: {}", remote.to_string(), why.message());
        co_return;  // `slot` gives the inbound slot back
    }
    const auto peer = (**channel)->remote_peer();
    // Named, not a braced temporary: GCC 12 mishandles non-trivial temporaries
    // in coroutine argument lists (double destruction).
    ConnectionInfo info{peer, remote.with_peer(peer), Direction::inbound};
    slot.established();
    add_connection(std::move(**channel), std::move(info), slot.ip());
}

}  // namespace chainkit::net
