#include "chainkit/node/node.hpp"

#include "chainkit/node/error.hpp"

#include "node_impl.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chainkit::node {
namespace {

// Spawned tasks log what escapes them instead of vanishing (asio::detached
// would swallow it).
auto log_failure(std::string what) {
    return [what = std::move(what)](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("node: {} failed: {}", what, ex.what());
        }
    };
}

}  // namespace

Node::Impl::Impl(asio::any_io_executor e, net::Host& h, NodeDeps d, NodeConfig c)
    : ex(std::move(e)),
      host(h),
      deps(std::move(d)),
      config(std::move(c)),
      max_message(max_message_size(deps.params.max_block_size)),
      nonce(std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32)),
      rng(nonce),
      download(detail::DownloadConfig{config.download_window, config.blocks_in_flight_per_peer, config.stall_timeout,
                                      config.request_timeout}),
      tx_requests(detail::TxRequestConfig{.timeout = config.tx_request_timeout}),
      ticker(ex),
      tx_inv_timer(ex) {}

void Node::Impl::log(const std::string& line) const {
    if (deps.log)
        deps.log(line);
    else
        spdlog::info("{}", line);
}

VersionMsg Node::Impl::make_version() const {
    VersionMsg v;
    v.genesis = deps.chain.genesis_hash();  // fixed at load: safe to read from any thread
    v.best_height = tip.height;
    v.best_work = tip.work;
    for (const auto& a : host.listen_addresses()) {
        if (v.listen_addrs.size() >= MAX_LISTEN_ADDRS) break;
        v.listen_addrs.push_back(a.to_string());
    }
    v.user_agent = config.user_agent.substr(0, MAX_USER_AGENT);
    v.nonce = nonce;
    return v;
}

Node::Impl::PeerPtr Node::Impl::find_peer(detail::PeerKey key) const {
    auto it = peers.find(key);
    return it == peers.end() ? nullptr : it->second;
}

Node::Impl::PeerPtr Node::Impl::find_peer(const std::string& id_text) const {
    for (const auto& [k, p] : peers)
        if (p->id_text == id_text) return p;
    return nullptr;
}

std::size_t Node::Impl::count_peers(bool inbound) const {
    return static_cast<std::size_t>(
        std::count_if(peers.begin(), peers.end(), [&](const auto& kv) { return kv.second->inbound == inbound; }));
}

Node::Impl::PeerPtr Node::Impl::add_peer(std::shared_ptr<net::Stream> stream, const net::PeerId& id, bool inbound,
                                         std::string remote) {
    auto peer = std::make_shared<detail::Peer>(ex, next_key++, std::move(stream), id, inbound, std::move(remote),
                                               config.max_send_queue_bytes);
    peer->sent_by_type = sent_by_type;
    peers.emplace(peer->key, peer);
    asio::co_spawn(ex, peer->write_loop(), log_failure("writer of " + peer->id_text));
    peer->send(make_version());
    return peer;
}

void Node::Impl::drop(const PeerPtr& peer, const std::string& why) {
    if (!peers.erase(peer->key)) return;
    log(fmt::format("peer {} dropped: {}", peer->id_text, why));
    peer->close_reason = why;
    peer->close();
    download.remove_peer(peer->key);
    std::erase(hb_peers, peer->key);
    tx_requests.remove_peer(peer->key);  // what it had in flight goes to other announcers
    // What it sent of a low-work chain is held per sender: free it.
    deps.run_on_chain([c = &deps.chain, m = &deps.mempool, k = peer->key] {
        c->forget_sender(k);
        m->erase_orphans_from(k);
    });
    host.disconnect(peer->id);
    request_blocks();
    request_txs();
}

void Node::Impl::misbehaving(const PeerPtr& peer, const std::string& why) {
    bans.ban(peer->id_text, now() + config.ban_seconds, why);
    ++counters.peers_banned;
    book.remove(peer->remote);
    log(fmt::format("peer {} banned for {} s: {}", peer->id_text, config.ban_seconds, why));
    save_state();
    drop(peer, "banned: " + why);
}

asio::awaitable<void> Node::Impl::run_session(PeerPtr peer) {
    auto self = shared_from_this();
    std::string why = "connection closed";
    while (!peer->closed()) {
        auto body = co_await peer->stream->read_message(max_message);
        if (!body) {
            why = "read: " + body.error().message;
            break;
        }
        peer->bytes_received += body->size();
        counters.bytes_received_by_type[detail::message_type_slot(*body)] += body->size();
        peer->last_received = detail::Clock::now();
        auto msg = decode_message(*body, max_message);
        if (!msg.ok()) {
            why = msg.error().message;
            break;
        }
        if (!co_await handle(peer, std::move(*msg))) break;
    }
    if (!peer->close_reason.empty()) why = peer->close_reason;
    drop(peer, why);
}

asio::awaitable<void> Node::Impl::serve_inbound(std::shared_ptr<net::Stream> stream, net::PeerId from) {
    auto self = shared_from_this();
    const auto id = from.to_string();
    if (stopped || bans.is_banned(id, now())) {
        stream->reset();
        if (!stopped) host.disconnect(from);
        co_return;
    }
    if (find_peer(id)) {  // one session per peer id: the first one wins
        stream->reset();
        co_return;
    }
    if (count_peers(true) >= config.max_inbound) {
        log(fmt::format("inbound peer {} refused: {} inbound peers already", id, config.max_inbound));
        stream->reset();
        host.disconnect(from);
        co_return;
    }
    auto peer = add_peer(std::move(stream), from, true, "inbound");
    co_await run_session(peer);
}

asio::awaitable<Result<net::PeerId>> Node::Impl::connect(net::Multiaddr addr, bool persistent_addr) {
    auto self = shared_from_this();
    const auto text = addr.to_string();
    if (persistent_addr) persistent.emplace(text, true);
    if (dialing.contains(text)) co_return Error{make_error_code(NodeError::duplicate_peer), "already dialing " + text};
    dialing.insert(text);
    book.mark_attempt(text, now());
    auto id = co_await host.dial(addr);
    if (!id) {
        dialing.erase(text);
        book.mark_failure(text, now());
        co_return Error{id.error().code, text + ": " + id.error().message};
    }
    const auto id_text = id->to_string();
    if (*id == host.peer_id()) {
        dialing.erase(text);
        book.remove(text);
        persistent.erase(text);
        co_return Error{make_error_code(NodeError::self_connection), text + " is this node"};
    }
    if (bans.is_banned(id_text, now())) {
        dialing.erase(text);
        host.disconnect(*id);
        co_return Error{make_error_code(NodeError::banned), id_text + " is banned"};
    }
    const auto full = addr.peer() ? addr : addr.with_peer(*id);
    // Learned the id of an address dialed without one: keep only its full
    // form, in the configured set and in the book (and so in peers.json),
    // also when a session with that peer exists already. dial_more matches
    // sessions by id, so a bare address left in either would be redialed
    // every back-off period, each dial one more idle connection to the peer.
    if (full.to_string() != text) {
        book.add(full.to_string(), "", now(), now());
        book.remove(text);
        book_renamed = true;
        if (persistent.erase(text) > 0) persistent.emplace(full.to_string(), true);
    }
    if (find_peer(id_text)) {
        dialing.erase(text);
        co_return *id;
    }
    auto stream = co_await host.open_stream(*id, std::string(SYNC_PROTOCOL));
    dialing.erase(text);
    if (!stream) {
        book.mark_failure(text, now());
        co_return Error{stream.error().code, text + ": " + stream.error().message};
    }
    if (find_peer(id_text)) {  // an inbound session from it started meanwhile
        (*stream)->reset();
        co_return *id;
    }
    book.mark_success(full.to_string(), now());
    auto peer = add_peer(std::move(*stream), *id, false, full.to_string());
    asio::co_spawn(ex, run_session(peer), log_failure("session with " + id_text));
    co_return *id;
}

void Node::Impl::dial_more() {
    if (stopped) return;
    std::vector<std::string> busy(dialing.begin(), dialing.end());
    for (const auto& [k, p] : peers) busy.push_back(p->remote);
    auto is_connected_to = [&](const std::string& addr) {
        for (const auto& [k, p] : peers)
            if (p->remote == addr || addr.ends_with("/p2p/" + p->id_text)) return true;
        return false;
    };
    auto spawn_dial = [&](const std::string& text, bool keep) {
        auto addr = net::Multiaddr::parse(text);
        if (!addr) {
            book.remove(text);
            return;
        }
        asio::co_spawn(
            ex,
            [self = shared_from_this(), a = *addr, keep]() -> asio::awaitable<void> {
                auto r = co_await self->connect(a, keep);
                if (!r.ok() && r.error().code != make_error_code(NodeError::duplicate_peer))
                    spdlog::debug("node: dial {} failed: {}", a.to_string(), r.error().message);
            },
            log_failure("dial " + text));
    };
    // Configured peers first, each with its own back-off in the address book.
    for (const auto& [text, keep] : persistent) {
        if (dialing.contains(text) || is_connected_to(text)) continue;
        const auto* rec = book.find(text);
        if (!rec) {
            book.add(text, "", now(), now());
            rec = book.find(text);
        }
        if (rec && rec->last_try != 0 &&
            now() - rec->last_try < std::min<std::int64_t>(60, 1ll << std::min(rec->failures, 6u)))
            continue;
        spawn_dial(text, true);
    }
    std::size_t outbound = count_peers(false) + dialing.size();
    for (int tries = 0; outbound < config.target_outbound && tries < 4; ++tries) {
        auto pick = book.select(busy, now());
        if (!pick) break;
        busy.push_back(*pick);
        if (is_connected_to(*pick) || pick->ends_with("/p2p/" + host.peer_id().to_string())) continue;
        const auto at = pick->rfind("/p2p/");
        if (at != std::string::npos && bans.is_banned(pick->substr(at + 5), now())) continue;
        spawn_dial(*pick, false);
        ++outbound;
    }
}

asio::awaitable<void> Node::Impl::tick_loop() {
    auto self = shared_from_this();
    auto last_save = detail::Clock::now();
    auto saved_size = book.size();
    while (!stopped) {
        ticker.expires_after(config.tick);
        co_await ticker.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (stopped) break;
        housekeeping();
        // A new (or newly identified) address is saved at once, not within
        // 30 s: a node killed (no clean stop) must still find its peers.
        if (book.size() != saved_size || book_renamed || detail::Clock::now() - last_save > std::chrono::seconds(30)) {
            save_state();
            last_save = detail::Clock::now();
            saved_size = book.size();
            book_renamed = false;
        }
    }
}

void Node::Impl::save_state() {
    if (deps.address_store) {
        if (auto r = deps.address_store->save_addresses(book.records()); !r.ok())
            spdlog::warn("node: could not save the address book: {}", r.error().message);
    }
    if (deps.ban_store) {
        if (auto r = deps.ban_store->save_bans(bans.records()); !r.ok())
            spdlog::warn("node: could not save bans: {}", r.error().message);
    }
}

void Node::Impl::stop() {
    if (stopped) return;
    stopped = true;
    ticker.cancel();
    tx_inv_timer.cancel();
    host.remove_handler(std::string(SYNC_PROTOCOL));
    save_state();
    auto all = peers;
    for (auto& [k, p] : all) drop(p, "node stopping");
}

// ---- Node ------------------------------------------------------------------

Node::Node(asio::any_io_executor ex, net::Host& host, NodeDeps deps, NodeConfig config)
    : m_impl(std::make_shared<Impl>(std::move(ex), host, std::move(deps), std::move(config))) {}

Node::~Node() {
    stop();
}

void Node::start() {
    m_impl->start();
}
void Node::stop() {
    m_impl->stop();
}

asio::awaitable<Result<net::PeerId>> Node::connect(net::Multiaddr addr, bool persistent) {
    return m_impl->connect(std::move(addr), persistent);
}

asio::awaitable<chain::ValidationResult> Node::submit_transaction(chain::Transaction tx) {
    return m_impl->accept_tx(std::move(tx), 0);
}

asio::awaitable<chain::AcceptResult> Node::submit_block(chain::Block block) {
    return m_impl->accept_block(std::move(block), 0);
}

std::vector<PeerInfo> Node::peers() const {
    std::vector<PeerInfo> out;
    for (const auto& [k, p] : m_impl->peers) {
        PeerInfo i;
        i.peer_id = p->id_text;
        i.address = p->remote;
        i.inbound = p->inbound;
        i.handshake_done = p->ready();
        i.user_agent = p->version.user_agent;
        i.best_height = p->best_height;
        i.blocks_in_flight = m_impl->download.in_flight(k);
        i.latency = p->latency;
        i.bytes_sent = p->bytes_sent;
        i.bytes_received = p->bytes_received;
        out.push_back(std::move(i));
    }
    return out;
}

NodeCounters Node::counters() const {
    auto c = m_impl->counters;
    c.bytes_sent_by_type = *m_impl->sent_by_type;
    return c;
}
const BanList& Node::bans() const {
    return m_impl->bans;
}
const AddressBook& Node::address_book() const {
    return m_impl->book;
}
std::uint64_t Node::nonce() const {
    return m_impl->nonce;
}

void Node::ban(const std::string& peer_id, std::int64_t seconds, const std::string& reason) {
    m_impl->bans.ban(peer_id, m_impl->now() + seconds, reason);
    if (auto p = m_impl->find_peer(peer_id)) m_impl->drop(p, "banned: " + reason);
    m_impl->save_state();
}

void Node::unban(const std::string& peer_id) {
    m_impl->bans.unban(peer_id);
    m_impl->save_state();
}

}  // namespace chainkit::node
