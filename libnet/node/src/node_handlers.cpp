// One handler per message. A handler returns false (through handle) when
// the session must end; bans go through misbehaving().
#include "chainkit/node/error.hpp"

#include "chain_call.hpp"
#include "node_impl.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace chainkit::node {

using detail::Clock;
using detail::on_chain;

namespace {
constexpr double ADDR_TOKENS_PER_SECOND = 0.1;  // Bitcoin Core's MAX_ADDR_RATE_PER_SECOND
constexpr double ADDR_TOKEN_BURST = 1000;
// Transactions looked up in the pool per chain round trip when answering getdata.
constexpr std::size_t GETDATA_TX_BATCH = 64;
}  // namespace

asio::awaitable<bool> Node::Impl::handle(const PeerPtr& peer, Message msg) {
    auto self = shared_from_this();
    const auto type = type_of(msg);
    if (type == MessageType::version) {
        if (peer->version_received) {
            misbehaving(peer, "sent version twice");
            co_return false;
        }
        co_await on_version(peer, std::move(std::get<VersionMsg>(msg)));
        co_return !peer->closed();
    }
    if (!peer->version_received) {
        drop(peer, fmt::format("sent {} before version", to_string(type)));
        co_return false;
    }
    if (type == MessageType::verack) {
        if (peer->verack_received) {
            drop(peer, "sent verack twice");
            co_return false;
        }
        peer->verack_received = true;
        on_ready(peer);
        co_return true;
    }
    if (!peer->verack_received) {
        drop(peer, fmt::format("sent {} before verack", to_string(type)));
        co_return false;
    }
    switch (type) {
        case MessageType::getheaders:
            co_await on_getheaders(peer, std::move(std::get<GetHeadersMsg>(msg)));
            break;
        case MessageType::headers:
            co_await on_headers(peer, std::move(std::get<HeadersMsg>(msg)));
            break;
        case MessageType::inv:
            co_await on_inv(peer, std::move(std::get<InvMsg>(msg)));
            break;
        case MessageType::getdata:
            co_await on_getdata(peer, std::move(std::get<GetDataMsg>(msg)));
            break;
        case MessageType::notfound:
            on_notfound(peer, std::get<NotFoundMsg>(msg));
            break;
        case MessageType::block:
            co_await on_block(peer, std::move(std::get<BlockMsg>(msg)));
            break;
        case MessageType::tx:
            co_await on_tx(peer, std::move(std::get<TxMsg>(msg)));
            break;
        case MessageType::getaddr:
            on_getaddr(peer);
            break;
        case MessageType::addr:
            on_addr(peer, std::get<AddrMsg>(msg));
            break;
        case MessageType::ping:
            peer->send(PongMsg{std::get<PingMsg>(msg).nonce});
            break;
        case MessageType::pong:
            on_pong(peer, std::get<PongMsg>(msg));
            break;
        case MessageType::sendcmpct:
            on_sendcmpct(peer, std::get<SendCmpctMsg>(msg));
            break;
        case MessageType::cmpctblock:
            co_await on_cmpctblock(peer, std::move(std::get<CmpctBlockMsg>(msg)));
            break;
        case MessageType::getblocktxn:
            co_await on_getblocktxn(peer, std::move(std::get<GetBlockTxnMsg>(msg)));
            break;
        case MessageType::blocktxn:
            co_await on_blocktxn(peer, std::move(std::get<BlockTxnMsg>(msg)));
            break;
        default:
            break;
    }
    co_return !peer->closed();
}

asio::awaitable<void> Node::Impl::on_version(const PeerPtr& peer, VersionMsg m) {
    if (m.nonce == nonce) {
        drop(peer, "connected to ourselves");
        co_return;
    }
    if (m.genesis != deps.chain.genesis_hash()) {
        drop(peer, "on another chain (genesis " + m.genesis.hex() + ")");
        co_return;
    }
    if (m.protocol_version < 1) {
        drop(peer, fmt::format("protocol version {} too old", m.protocol_version));
        co_return;
    }
    peer->version_received = true;
    peer->best_height = m.best_height;
    peer->best_work = m.best_work;
    if (peer->inbound) {
        // What an inbound peer says it listens on is hearsay until we dial it.
        for (const auto& a : m.listen_addrs) {
            auto addr = net::Multiaddr::parse(a);
            if (!addr) continue;
            book.add(addr->with_peer(peer->id).to_string(), peer->id_text, now(), now());
        }
    }
    peer->version = std::move(m);
    peer->send(VerackMsg{});
    co_return;
}

asio::awaitable<void> Node::Impl::on_getheaders(const PeerPtr& peer, GetHeadersMsg m) {
    co_await peer->wait_for_room();
    auto job1 = [c = &deps.chain, m = std::move(m)] {
        return c->headers_after(m.locator, m.stop, MAX_HEADERS_PER_MESSAGE);
    };
    auto headers = co_await on_chain(deps.run_on_chain, std::move(job1));
    for (const auto& h : headers) peer->known.insert(chain::hash_cast<chain::Hash256>(h.hash()));
    peer->send(HeadersMsg{std::move(headers)});
}

asio::awaitable<void> Node::Impl::on_headers(const PeerPtr& peer, HeadersMsg m) {
    peer->headers_requested = false;
    if (m.headers.empty()) co_return;
    const bool full = m.headers.size() == MAX_HEADERS_PER_MESSAGE;
    for (const auto& h : m.headers) peer->known.insert(chain::hash_cast<chain::Hash256>(h.hash()));
    // Most announcements of a new block reach a node after it connected the
    // block from the first one: a single header naming our tip or best
    // header needs no chain job (nor the download refresh after it).
    if (const auto known =
            known_height(m.headers.size() == 1 ? m.headers[0].hash() : chain::BlockHash{}, /*or_best_header=*/true)) {
        if (*known > peer->best_height) peer->best_height = *known;
        co_return;
    }
    const std::int64_t t = now();
    auto job2 = [c = &deps.chain, hs = std::move(m.headers), t, k = peer->key, box = summary] {
        auto r = c->accept_headers(hs, t, k);
        if (r.best_header_changed) box->publish(*c);
        return r;
    };
    auto r = co_await on_chain(deps.run_on_chain, std::move(job2));
    if (r.last_height > peer->best_height) peer->best_height = r.last_height;
    if (!r.validation.ok()) {
        if (r.validation.reason == chain::RejectReason::unknown_parent) {
            request_headers(peer);  // it is ahead of us on a branch we lack: ask from our locator
            co_return;
        }
        if (r.validation.reason == chain::RejectReason::storage_failure) storage_failed(r.validation.message);
        if (is_peer_fault(r.validation.reason)) {
            misbehaving(peer, "invalid header: " + r.validation.message);
            co_return;
        }
    }
    // A full batch means it has more: continue after the last one (which may
    // be held as low-work, so not on our best-header locator).
    if (full) request_headers(peer, r.last_hash);
    co_await refresh_needed();
}

asio::awaitable<void> Node::Impl::on_inv(const PeerPtr& peer, InvMsg m) {
    std::vector<chain::TxId> txs;
    bool unknown_block = false;
    for (const auto& item : m.items) {
        peer->known.insert(item.hash);
        if (item.type == InvType::tx)
            txs.push_back(chain::hash_cast<chain::TxId>(item.hash));
        else
            unknown_block = true;  // checked on the chain thread below
    }
    if (unknown_block) {
        std::vector<chain::BlockHash> blocks;
        for (const auto& item : m.items)
            if (item.type == InvType::block) blocks.push_back(chain::hash_cast<chain::BlockHash>(item.hash));
        auto job3 = [c = &deps.chain, blocks] {
            return std::any_of(blocks.begin(), blocks.end(), [&](const auto& h) { return !c->contains(h); });
        };
        const bool any_unknown = co_await on_chain(deps.run_on_chain, std::move(job3));
        if (any_unknown) request_headers(peer);
    }
    if (txs.empty() || !config.relay_transactions) co_return;
    auto job4 = [mp = &deps.mempool, txs = std::move(txs)] {
        std::vector<chain::TxId> out;
        for (const auto& t : txs)
            if (!mp->contains(t)) out.push_back(t);
        return out;
    };
    auto wanted = co_await on_chain(deps.run_on_chain, std::move(job4));
    // The ones we already have: this peer has them too.
    for (const auto& item : m.items)
        if (item.type == InvType::tx) {
            const auto txid = chain::hash_cast<chain::TxId>(item.hash);
            if (std::find(wanted.begin(), wanted.end(), txid) == wanted.end()) tx_taken(txid, peer);
        }
    // Remembered (within bounds) and asked for as the peer's request slots
    // free: nothing is forgotten because this peer is slow, and nothing is
    // asked of two peers at once (tx_requests.hpp).
    for (const auto& txid : wanted) tx_requests.announced(peer->key, txid);
    request_txs();
}

asio::awaitable<void> Node::Impl::on_getdata(const PeerPtr& peer, GetDataMsg m) {
    NotFoundMsg missing;
    for (std::size_t i = 0; i < m.items.size();) {
        // Reading the next item waits while the peer's queue is full, so a
        // request for the whole chain costs a bounded amount of memory.
        co_await peer->wait_for_room();
        if (peer->closed()) co_return;
        const auto& item = m.items[i];
        if (item.type == InvType::block) {
            ++i;
            auto job5 = [c = &deps.chain, h = chain::hash_cast<chain::BlockHash>(item.hash)] {
                return c->read_block(h);
            };
            auto block = co_await on_chain(deps.run_on_chain, std::move(job5));
            if (block) {
                peer->known.insert(item.hash);
                peer->send(BlockMsg{std::move(*block)});
            } else {
                missing.items.push_back(item);
            }
            continue;
        }
        if (item.type == InvType::cmpct_block) {
            ++i;
            if (recent_cmpct && chain::hash_cast<chain::Hash256>(recent_cmpct->hash) == item.hash) {
                peer->known.insert(item.hash);
                peer->send(recent_cmpct->msg);
                continue;
            }
            auto job5c = [c = &deps.chain, h = chain::hash_cast<chain::BlockHash>(item.hash), n = rng()] {
                auto b = c->read_block(h);
                return b ? std::optional<CmpctBlockMsg>(detail::make_compact(*b, n)) : std::nullopt;
            };
            auto cmpct = co_await on_chain(deps.run_on_chain, std::move(job5c));
            if (cmpct) {
                peer->known.insert(item.hash);
                peer->send(*cmpct);
            } else {
                missing.items.push_back(item);
            }
            continue;
        }
        // A run of transactions in one chain round trip: a round trip per
        // item kept a block request behind this one waiting for each.
        std::vector<chain::TxId> ids;
        for (; i < m.items.size() && m.items[i].type == InvType::tx && ids.size() < GETDATA_TX_BATCH; ++i)
            ids.push_back(chain::hash_cast<chain::TxId>(m.items[i].hash));
        auto job6 = [mp = &deps.mempool, ids] {
            std::vector<std::optional<chain::Transaction>> out;
            for (const auto& h : ids) {
                const auto* e = mp->get(h);
                out.push_back(e ? std::optional<chain::Transaction>(e->tx) : std::nullopt);
            }
            return out;
        };
        auto txs = co_await on_chain(deps.run_on_chain, std::move(job6));
        if (peer->closed()) co_return;
        for (std::size_t k = 0; k < ids.size(); ++k) {
            const auto h = chain::hash_cast<chain::Hash256>(ids[k]);
            if (!txs[k]) {
                missing.items.push_back({InvType::tx, h});
                continue;
            }
            peer->known.insert(h);
            peer->send(TxMsg{std::move(*txs[k])});
            tx_taken(ids[k], peer);
        }
    }
    if (!missing.items.empty()) peer->send(missing);
}

void Node::Impl::on_notfound(const PeerPtr& peer, const NotFoundMsg& m) {
    for (const auto& item : m.items) {
        if (item.type != InvType::tx)
            download.refused(peer->key, chain::hash_cast<chain::BlockHash>(item.hash));
        else
            tx_requests.not_found(peer->key, chain::hash_cast<chain::TxId>(item.hash));
    }
    request_blocks();
    request_txs();
}

asio::awaitable<void> Node::Impl::on_block(const PeerPtr& peer, BlockMsg m) {
    const auto hash = m.block.hash();
    peer->known.insert(chain::hash_cast<chain::Hash256>(hash));
    // Blocks are announced by header and fetched by getdata, so a block
    // nobody asked for (of this peer or, after a stall, of another) is only
    // a way to make us validate and store what we did not choose: ignored.
    const bool wanted = download.is_in_flight(hash);
    download.received(peer->key, hash);
    if (!wanted) {
        ++counters.blocks_unrequested;
        co_return;
    }
    co_await take_block(peer, std::move(m.block));
}

asio::awaitable<void> Node::Impl::take_block(const PeerPtr& peer, chain::Block block, detail::TxHashes hashes) {
    download.received(peer->key, block.hash());
    request_blocks();  // its slot is free: ask for the next one now
    // Keep reading this peer while its block validates: chain jobs run in the
    // order posted, so its blocks still connect in the order they came. At
    // most MAX_BLOCKS_VALIDATING per peer; past that the session waits.
    if (peer->blocks_validating >= detail::MAX_BLOCKS_VALIDATING) {
        co_await validate_block(peer, std::move(block), std::move(hashes));
        co_return;
    }
    ++peer->blocks_validating;
    asio::co_spawn(
        ex,
        [self = shared_from_this(), peer, b = std::move(block),
         h = std::move(hashes)]() mutable -> asio::awaitable<void> {
            co_await self->validate_block(peer, std::move(b), std::move(h));
            --peer->blocks_validating;
        },
        asio::detached);
}

asio::awaitable<void> Node::Impl::validate_block(PeerPtr peer, chain::Block block, detail::TxHashes hashes) {
    auto self = shared_from_this();
    const auto hash = block.hash();
    auto r = co_await accept_block(std::move(block), peer->key, std::move(hashes));
    if (!r.ok() && is_peer_fault(r.validation.reason))
        misbehaving(peer, "invalid block " + hash.hex() + ": " + r.validation.message);
    else if (r.tip_changed && tip.hash == hash)
        block_delivered_by(peer->key);
    request_blocks();
}

asio::awaitable<void> Node::Impl::on_tx(const PeerPtr& peer, TxMsg m) {
    const auto txid = m.tx.txid();
    peer->known.insert(chain::hash_cast<chain::Hash256>(txid));
    tx_requests.received(txid);
    request_txs();
    // Keep reading this peer while its transactions validate (one at a time
    // on the chain thread, in the order they came), so a header or block
    // behind them on this session waits for one of them, not for all. Past
    // MAX_TX_BYTES_PENDING queued the session waits.
    co_await peer->wait_for_tx_room();
    if (peer->closed()) co_return;
    peer->queue_tx(std::move(m.tx));
    if (peer->tx_validator_running) co_return;
    peer->tx_validator_running = true;
    asio::co_spawn(ex, validate_txs(peer), asio::detached);
}

asio::awaitable<void> Node::Impl::validate_txs(PeerPtr peer) {
    auto self = shared_from_this();
    while (!stopped && !peer->closed()) {
        auto tx = peer->next_tx();
        if (!tx) break;
        // Just under the bound request_txs() holds requests at: ask again.
        if (peer->queued_txs() + 1 == tx_requests.max_in_flight_per_peer()) request_txs();
        const auto txid = tx->txid();
        auto r = co_await accept_tx(std::move(*tx), peer->key);
        if (!r.ok() && is_peer_fault(r.reason))
            misbehaving(peer, "invalid transaction " + txid.hex() + ": " + r.message);
    }
    peer->tx_validator_running = false;
}

void Node::Impl::on_getaddr(const PeerPtr& peer) {
    // Once per connection, as Bitcoin Core answers it: repeated asks learn nothing new.
    if (peer->getaddr_answered) return;
    peer->getaddr_answered = true;
    AddrMsg out;
    for (const auto& a : host.listen_addresses()) out.addrs.push_back({a.to_string(), now()});
    for (auto& r : book.sample(MAX_ADDRS_PER_MESSAGE - out.addrs.size()))
        if (!r.address.ends_with("/p2p/" + peer->id_text)) out.addrs.push_back({r.address, r.last_seen});
    peer->send(out);
}

void Node::Impl::on_addr(const PeerPtr& peer, const AddrMsg& m) {
    const auto t = Clock::now();
    peer->addr_tokens = std::min(
        ADDR_TOKEN_BURST,
        peer->addr_tokens + ADDR_TOKENS_PER_SECOND * std::chrono::duration<double>(t - peer->addr_tokens_at).count());
    peer->addr_tokens_at = t;
    for (const auto& e : m.addrs) {
        if (peer->addr_tokens < 1) break;  // over its rate: the rest is ignored, not punished
        peer->addr_tokens -= 1;
        auto addr = net::Multiaddr::parse(e.address);
        if (!addr || !addr->peer() || *addr->peer() == host.peer_id()) continue;
        book.add(addr->to_string(), peer->id_text, e.last_seen, now());
    }
}

void Node::Impl::on_pong(const PeerPtr& peer, const PongMsg& m) {
    if (!peer->ping_nonce || *peer->ping_nonce != m.nonce) return;
    peer->ping_nonce.reset();
    peer->latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - peer->ping_sent);
}

}  // namespace chainkit::node
