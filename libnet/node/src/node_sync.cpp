// Headers-first sync, block download and relay, and the node's view of the
// chain (mirrored from the chain thread after each change). Transactions:
// node_tx_relay.cpp.
#include "chainkit/node/error.hpp"

#include "chain_call.hpp"
#include "node_impl.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace chainkit::node {

using detail::Clock;
using detail::on_chain;

namespace {

void record_validation_time(NodeCounters& c, double seconds) {
    std::size_t bucket = 0;
    while (bucket < VALIDATION_TIME_BUCKETS.size() && seconds > VALIDATION_TIME_BUCKETS[bucket]) ++bucket;
    ++c.validation_time_buckets[bucket];
    c.validation_seconds_sum += seconds;
    ++c.validations;
}

// Transactions of the blocks a reorg took off the active chain (from
// `old_tip` down to the fork) that are back in the pool. The walk stops
// once it covered as many bytes as the pool holds: the pool keeps no more
// of a reorg's transactions either.
std::vector<chain::TxId> returned_to_pool(const chain::ChainState& c, const chain::Mempool& mp, chain::BlockHash h) {
    std::vector<chain::TxId> out;
    std::size_t bytes = 0;
    while (bytes < mp.max_bytes() && !c.on_active_chain(h)) {
        auto b = c.read_block(h);
        if (!b) break;
        for (std::size_t i = 1; i < b->txs.size(); ++i) {
            bytes += b->txs[i].serialized_size();
            if (auto id = b->txs[i].txid(); mp.contains(id)) out.push_back(id);
        }
        h = b->header.prev;
    }
    return out;
}

}  // namespace

void Node::Impl::start() {
    if (started) return;
    started = true;
    if (deps.address_store) {
        if (auto r = deps.address_store->load_addresses(); r.ok())
            book.restore(*r);
        else
            spdlog::warn("node: could not load the address book: {}", r.error().message);
    }
    if (deps.ban_store) {
        if (auto r = deps.ban_store->load_bans(); r.ok())
            bans.restore(*r, now());
        else
            spdlog::warn("node: could not load bans: {}", r.error().message);
    }
    for (const auto& a : config.connect) persistent.emplace(a.to_string(), true);
    std::weak_ptr<Impl> weak = shared_from_this();
    host.set_handler(std::string(SYNC_PROTOCOL),
                     [weak](std::shared_ptr<net::Stream> s, net::PeerId from) -> asio::awaitable<void> {
                         if (auto self = weak.lock()) co_await self->serve_inbound(std::move(s), std::move(from));
                     });
    asio::co_spawn(
        ex,
        [self = shared_from_this()]() -> asio::awaitable<void> {
            co_await self->refresh_needed();
            self->dial_more();
            co_await self->tick_loop();
        },
        asio::detached);
}

void Node::Impl::housekeeping() {
    const auto t = Clock::now();
    for (auto& [k, p] : std::map(peers)) {
        if (!p->ready()) {
            if (t - p->connected_at > config.handshake_timeout) drop(p, "no handshake in time");
            continue;
        }
        // A ping every 30 s measures latency; one unanswered for 20 s drops the peer.
        if (p->ping_nonce && t - p->ping_sent > config.request_timeout) {
            drop(p, "did not answer ping");
        } else if (!p->ping_nonce && t - p->ping_sent > std::chrono::seconds(30)) {
            p->ping_nonce = rng();
            p->ping_sent = t;
            p->send(PingMsg{*p->ping_nonce});
        }
    }
    check_stalls();
    expire_partials();
    request_blocks();
    if (tx_requests.expire(t) > 0) request_txs();
    bans.sweep(now());
    dial_more();
}

void Node::Impl::on_ready(const PeerPtr& peer) {
    log(fmt::format("peer {} ({}, {}) ready: height {}, {}", peer->id_text, peer->inbound ? "inbound" : "outbound",
                    peer->remote, peer->version.best_height, peer->version.user_agent));
    if (!peer->inbound) {
        peer->send(GetAddrMsg{});
        book.mark_success(peer->remote, now());
    }
    offer_hb(peer);
    request_headers(peer);
}

void Node::Impl::request_headers(const PeerPtr& peer, std::optional<chain::BlockHash> from) {
    if (peer->headers_requested || peer->closed()) return;
    peer->headers_requested = true;
    asio::co_spawn(
        ex,
        [self = shared_from_this(), peer, from]() -> asio::awaitable<void> {
            auto job7 = [c = &self->deps.chain, from] { return from ? c->locator_for(*from) : c->header_locator(); };
            auto locator = co_await on_chain(self->deps.run_on_chain, std::move(job7));
            if (locator.size() > MAX_LOCATOR_SIZE) locator.resize(MAX_LOCATOR_SIZE);
            peer->send(GetHeadersMsg{std::move(locator), chain::BlockHash{}});
        },
        asio::detached);
}

asio::awaitable<void> Node::Impl::refresh_needed() {
    if (needed_refresh_pending) {
        needed_refresh_again = true;
        co_return;
    }
    needed_refresh_pending = true;
    do {
        needed_refresh_again = false;
        const std::size_t window = config.download_window;
        struct View {
            chain::ChainTip tip, best;
            std::vector<std::pair<chain::BlockHash, std::uint64_t>> needed;
        };
        auto job8 = [c = &deps.chain, window, box = summary] {
            box->publish(*c);
            View view{c->tip(), c->best_header(), {}};
            // From where the best-header chain leaves the active one (a
            // heavier fork needs its blocks from the fork point up, not from
            // our tip); the locator is sparse, so this may start a little
            // lower, and stored bodies are skipped.
            const auto fork = c->find_header_fork(c->locator());
            view.needed = c->blocks_to_download(fork.height + 1, window);
            return view;
        };
        auto v = co_await on_chain(deps.run_on_chain, std::move(job8));
        tip = v.tip;
        best_header = v.best;
        std::vector<detail::NeededBlock> needed;
        needed.reserve(v.needed.size());
        for (auto& [h, height] : v.needed) needed.push_back({h, height});
        download.set_needed(std::move(needed));
        download.note_connected_height(tip.height);
    } while (needed_refresh_again && !stopped);
    needed_refresh_pending = false;
    request_blocks();
}

void Node::Impl::request_blocks() {
    if (stopped || download.needed_count() == 0) return;
    const auto t = Clock::now();
    for (auto& [k, p] : peers) {
        if (!p->ready() || p->closed()) continue;
        auto blocks = download.assign(k, p->best_height, t);
        if (blocks.empty()) continue;
        GetDataMsg gd;
        for (const auto& b : blocks) {
            // The one block a node at its best header lacks, right above its
            // tip, is most likely made of transactions its pool has: asked
            // for compact, of a peer that speaks it (sent sendcmpct). Sync
            // and reorgs fetch whole blocks.
            const bool next = p->cmpct_capable && b.height == tip.height + 1 && best_header.height == b.height &&
                              download.needed_count() == 1;
            if (!next) ++counters.block_getdata_sent;
            gd.items.push_back(
                {next ? InvType::cmpct_block : InvType::block, chain::hash_cast<chain::Hash256>(b.hash)});
        }
        p->send(gd);
    }
}

void Node::Impl::check_stalls() {
    const auto t = Clock::now();
    if (auto staller = download.find_staller(t)) {
        auto p = find_peer(*staller);
        // With no one else to ask, a slow peer is still the best we have.
        const bool others = std::any_of(peers.begin(), peers.end(), [&](const auto& kv) {
            return kv.first != *staller && kv.second->ready() && kv.second->best_height > tip.height;
        });
        if (p && others) drop(p, "stalled the block download window");
    }
    for (auto key : download.timed_out(t))
        if (auto p = find_peer(key)) drop(p, "did not deliver requested blocks in time");
}

void Node::Impl::announce_block(const chain::BlockHeader& header, const CmpctBlockMsg* cmpct) {
    const auto h = chain::hash_cast<chain::Hash256>(header.hash());
    for (auto& [k, p] : peers) {
        if (!p->ready() || !p->known.insert(h)) continue;
        if (cmpct && p->wants_cmpct)
            p->send(*cmpct);
        else
            p->send(HeadersMsg{{header}});
    }
}

void Node::Impl::tip_changed(const chain::ChainTip& new_tip, const chain::BlockHeader& header,
                             const CmpctBlockMsg* cmpct) {
    tip = new_tip;
    rate_samples.emplace_back(Clock::now(), new_tip.height);
    while (rate_samples.size() > 2 && rate_samples.front().first < Clock::now() - std::chrono::seconds(10))
        rate_samples.pop_front();
    // Announce only a tip that is the best header (not each block of a sync).
    if (new_tip.height + 1 >= best_header.height) announce_block(header, cmpct);
    if (tip_listener) tip_listener(new_tip);
}

asio::awaitable<chain::AcceptResult> Node::Impl::accept_block(chain::Block block, detail::PeerKey from,
                                                              detail::TxHashes hashes) {
    auto self = shared_from_this();
    struct Outcome {
        chain::AcceptResult result;
        chain::ChainTip tip;
        chain::ChainTip best;
        chain::BlockHeader tip_header;
        std::chrono::duration<double> took{};
        std::vector<chain::TxId> returned;   // to the pool by a reorg
        std::optional<CmpctBlockMsg> cmpct;  // the new tip for high-bandwidth peers
    };
    const std::int64_t t = now();
    const auto hash = block.hash();
    // Built on the chain thread with the block at hand, only when a peer
    // takes it; the nonce is fresh per block (compact_block.hpp).
    const bool want_cmpct =
        std::any_of(peers.begin(), peers.end(), [](const auto& kv) { return kv.second->wants_cmpct; });
    const std::uint64_t cmpct_nonce = rng();
    auto job9 = [c = &deps.chain, mp = &deps.mempool, b = std::move(block), hs = std::move(hashes), t, from,
                 box = summary, want_cmpct, cmpct_nonce]() mutable {
        Outcome out;
        const auto old_tip = c->tip().hash;
        const auto started = detail::Clock::now();
        // A rebuilt block brings its hashes (check_block, the connect, the
        // pool, the signature cache and the relayed cmpctblock use them); a
        // full block is hashed by check_block after its proof of work, never before.
        out.result = c->accept_block(b, t, from, hs.wtxids, hs.txids);
        out.took = detail::Clock::now() - started;
        box->publish(*c);
        out.tip = c->tip();
        out.best = c->best_header();
        if (out.result.tip_changed) {
            if (auto h = c->header(out.tip.hash)) out.tip_header = *h;
            out.returned = returned_to_pool(*c, *mp, old_tip);
            // Relaying by compact blocks (a peer wants them pushed, or this
            // one came as one): built now, for pushes and later getdata.
            if ((want_cmpct || !hs.wtxids.empty()) && out.tip.hash == b.hash())
                out.cmpct = detail::make_compact(b, cmpct_nonce, hs.wtxids);
        }
        return out;
    };
    auto o = co_await on_chain(deps.run_on_chain, std::move(job9));
    best_header = o.best;
    record_validation_time(counters, o.took.count());
    if (o.result.ok()) {
        ++counters.blocks_accepted;
        download.stored(hash);
    } else if (o.result.validation.reason == chain::RejectReason::storage_failure)
        storage_failed(o.result.validation.message);
    else if (is_peer_fault(o.result.validation.reason))
        count_rejected(counters.blocks_rejected, counters.blocks_rejected_by_reason, o.result.validation.reason);
    // Orphans connected (or refused) now were sent earlier, maybe by others.
    for (const auto& orphan : o.result.orphans) {
        if (orphan.validation.reason == chain::RejectReason::storage_failure) storage_failed(orphan.validation.message);
        if (orphan.validation.ok() || !is_peer_fault(orphan.validation.reason)) continue;
        count_rejected(counters.blocks_rejected, counters.blocks_rejected_by_reason, orphan.validation.reason);
        if (auto p = find_peer(orphan.from))
            misbehaving(p, "invalid block " + orphan.hash.hex() + ": " + orphan.validation.message);
    }
    if (o.result.tip_changed) {
        storage_worked();
        tip_changed(o.tip, o.tip_header, o.cmpct ? &*o.cmpct : nullptr);
        if (o.cmpct) recent_cmpct = RecentCmpct{o.tip.hash, std::move(*o.cmpct)};
    }
    if (!o.returned.empty()) reannounce_txs(o.returned);
    // The download list only needs the chain again when it runs low (the
    // window moved on) or holds nothing: recomputing it after every block
    // cost as much chain-thread time as validating it (node_bench).
    if (download.needed_count() < config.download_window / 2) co_await refresh_needed();
    co_return o.result;
}

void Node::on_tip_changed(std::function<void(const chain::ChainTip&)> callback) {
    m_impl->tip_listener = std::move(callback);
}

chain::ChainTip Node::tip() const {
    return m_impl->tip;
}

std::shared_ptr<const chain::ChainSummary> Node::chain_summary() const {
    return m_impl->summary->latest();
}

SyncStatus Node::sync_status() const {
    SyncStatus s;
    s.header_height = std::max(m_impl->best_header.height, m_impl->tip.height);
    s.block_height = m_impl->tip.height;
    const auto& r = m_impl->rate_samples;
    if (r.size() >= 2) {
        const double secs = std::chrono::duration<double>(r.back().first - r.front().first).count();
        if (secs > 0) s.blocks_per_second = static_cast<double>(r.back().second - r.front().second) / secs;
    }
    std::uint64_t announced = 0;
    for (const auto& [k, p] : m_impl->peers) announced = std::max(announced, p->best_height);
    s.synced = s.block_height >= s.header_height && s.block_height >= announced;
    return s;
}

}  // namespace chainkit::node
