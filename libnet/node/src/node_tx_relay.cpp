// Transaction relay: announcements batched per peer, requests, the pool's
// verdict on a relayed transaction and the peers that took each one.
#include "chain_call.hpp"
#include "node_impl.hpp"

namespace chainkit::node {

using detail::Clock;
using detail::on_chain;

namespace {

// How long a transaction announcement waits to share an inv with the next
// ones: a few milliseconds per hop for a lone transaction, a message per
// batch instead of per transaction under a flood.
constexpr auto TX_INV_DELAY = std::chrono::milliseconds(5);

}  // namespace

void Node::Impl::announce_tx(const chain::TxId& txid, detail::PeerKey except) {
    if (!config.relay_transactions) return;
    const auto h = chain::hash_cast<chain::Hash256>(txid);
    for (auto& [k, p] : peers) {
        if (k == except || !p->ready() || !p->known.insert(h)) continue;
        p->tx_inv_queue.push_back({InvType::tx, h});
        if (p->tx_inv_queue.size() == MAX_INV_PER_MESSAGE) {
            p->send(InvMsg{std::move(p->tx_inv_queue)});
            p->tx_inv_queue.clear();
        }
    }
    if (tx_inv_flush_pending || stopped) return;
    tx_inv_flush_pending = true;
    tx_inv_timer.expires_after(TX_INV_DELAY);
    tx_inv_timer.async_wait([self = shared_from_this()](const std::error_code&) {
        self->tx_inv_flush_pending = false;
        self->flush_tx_invs();
    });
}

void Node::Impl::flush_tx_invs() {
    if (stopped) return;
    for (auto& [k, p] : peers) {
        if (p->tx_inv_queue.empty()) continue;
        if (p->ready() && !p->closed()) p->send(InvMsg{std::move(p->tx_inv_queue)});
        p->tx_inv_queue.clear();
    }
}

void Node::Impl::reannounce_txs(const std::vector<chain::TxId>& txids) {
    if (!config.relay_transactions) return;
    // Peers that had them (in the block) dropped them too: whatever a peer
    // was told before, it hears of them again.
    for (auto& [k, p] : peers) {
        if (!p->ready()) continue;
        InvMsg inv;
        for (const auto& txid : txids) {
            const auto h = chain::hash_cast<chain::Hash256>(txid);
            p->known.insert(h);
            inv.items.push_back({InvType::tx, h});
            if (inv.items.size() == MAX_INV_PER_MESSAGE) {
                p->send(inv);
                inv.items.clear();
            }
        }
        if (!inv.items.empty()) p->send(inv);
    }
}

void Node::Impl::request_txs() {
    if (stopped) return;
    const auto t = Clock::now();
    for (auto& [k, p] : peers) {
        // Refilled once half its slots are free: getdata in batches, not one per arrival.
        if (!p->ready() || p->closed() || tx_requests.in_flight(k) > tx_requests.max_in_flight_per_peer() / 2) continue;
        // A slot frees when the transaction arrives, not when it is validated:
        // without this, a peer that answers faster than we validate fills its
        // 1 MiB validation queue, and what it sends next (a block) waits.
        if (p->queued_txs() >= tx_requests.max_in_flight_per_peer()) continue;
        auto txids = tx_requests.take_requests(k, t);
        if (txids.empty()) continue;
        GetDataMsg gd;
        for (const auto& txid : txids) gd.items.push_back({InvType::tx, chain::hash_cast<chain::Hash256>(txid)});
        p->send(gd);
    }
}

asio::awaitable<chain::ValidationResult> Node::Impl::accept_tx(chain::Transaction tx, detail::PeerKey from) {
    auto self = shared_from_this();
    const auto txid = tx.txid();
    const std::int64_t t = now();
    auto job10 = [m = &deps.mempool, tx = std::move(tx), from, t]() mutable { return m->accept(tx, from, t); };
    auto r = co_await on_chain(deps.run_on_chain, std::move(job10));
    if (r.ok()) {
        ++counters.txs_accepted;
        announce_tx(txid, from);
    } else if (r.validation.reason == chain::RejectReason::storage_failure) {
        storage_failed(r.validation.message);
    } else if (is_peer_fault(r.validation.reason)) {
        count_rejected(counters.txs_rejected, counters.txs_rejected_by_reason, r.validation.reason);
    }
    // Orphans this transaction resolved: relay the good ones, blame the senders of bad ones.
    for (const auto& o : r.orphans) {
        if (o.validation.ok()) {
            ++counters.txs_accepted;
            announce_tx(o.txid, o.from);
        } else if (is_peer_fault(o.validation.reason)) {
            count_rejected(counters.txs_rejected, counters.txs_rejected_by_reason, o.validation.reason);
            if (auto p = find_peer(o.from))
                misbehaving(p, "invalid transaction " + o.txid.hex() + ": " + o.validation.message);
        }
    }
    co_return r.validation;
}

void Node::Impl::tx_taken(const chain::TxId& txid, const PeerPtr& peer) {
    auto [it, added] = tx_takers.try_emplace(txid);
    it->second.insert(peer->id_text);
    if (!added) return;
    tx_takers_order.push_back(txid);
    if (tx_takers_order.size() > TX_TAKERS_KEPT) {
        tx_takers.erase(tx_takers_order.front());
        tx_takers_order.pop_front();
    }
}

std::size_t Node::tx_taken_by(const chain::TxId& txid) const {
    const auto it = m_impl->tx_takers.find(txid);
    return it == m_impl->tx_takers.end() ? 0 : it->second.size();
}

}  // namespace chainkit::node
