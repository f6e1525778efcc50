// Compact block relay (docs/protocol.md, "Compact block relay"): a new tip
// travels as a cmpctblock (header, 6-byte short ids, the coinbase), the
// receiver rebuilds it from its pool, asks the sender for what it lacks
// (getblocktxn / blocktxn), and the rebuilt block takes the same path as a
// `block` (take_block: check_block, connect; nothing trusted). Anything that
// does not add up (a short-id collision, wrong transactions, no answer) ends
// in a plain getdata for the whole block from the same peer, no penalty.
#include "chainkit/node/error.hpp"

#include "chain_call.hpp"
#include "node_impl.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chainkit::node {

using detail::Clock;
using detail::on_chain;

namespace {
// Peers asked to push new blocks as cmpctblock (BIP152's 3).
constexpr std::size_t MAX_HB_PEERS = 3;
// A getblocktxn unanswered this long: the block is fetched whole.
constexpr auto PARTIAL_TIMEOUT = std::chrono::seconds(1);
}  // namespace

void Node::Impl::on_sendcmpct(const PeerPtr& peer, const SendCmpctMsg& m) {
    peer->cmpct_capable = true;
    peer->wants_cmpct = m.high_bandwidth;
}

void Node::Impl::offer_hb(const PeerPtr& peer) {
    // Every peer hears that we speak compact blocks (sendcmpct 0: announce
    // by header); the first outbound ones are asked to push them.
    const bool high = !peer->inbound && hb_peers.size() < MAX_HB_PEERS;
    if (high) {
        peer->asked_cmpct = true;
        hb_peers.push_back(peer->key);
    }
    peer->send(SendCmpctMsg{high});
}

void Node::Impl::block_delivered_by(detail::PeerKey key) {
    // During sync every peer delivers blocks: only a new tip at the best
    // header says who is fast at relaying.
    if (tip.height < best_header.height) return;
    auto p = find_peer(key);
    if (!p || p->asked_cmpct) return;
    p->asked_cmpct = true;
    p->send(SendCmpctMsg{true});
    hb_peers.push_front(key);
    while (hb_peers.size() > MAX_HB_PEERS) {
        if (auto old = find_peer(hb_peers.back())) {
            old->asked_cmpct = false;
            old->send(SendCmpctMsg{false});
        }
        hb_peers.pop_back();
    }
}

void Node::Impl::fetch_full(const PeerPtr& peer, const chain::BlockHash& hash, std::uint64_t height, const char* why) {
    // Still ours to deliver: not received meanwhile, nor moved to another
    // peer (a stall), nor dropped with its peer.
    const auto holder = download.holder(hash);
    if (!holder || *holder != peer->key) return;
    ++counters.cmpct_fallbacks;
    ++counters.block_getdata_sent;
    log(fmt::format("peer {}: compact block {} at height {} not rebuilt ({}): asking for it whole", peer->id_text,
                    hash.hex(), height, why));
    peer->send(GetDataMsg{{{InvType::block, chain::hash_cast<chain::Hash256>(hash)}}});
}

asio::awaitable<void> Node::Impl::on_cmpctblock(const PeerPtr& peer, CmpctBlockMsg m) {
    auto self = shared_from_this();
    ++counters.cmpct_received;
    const auto hash = m.header.hash();
    peer->known.insert(chain::hash_cast<chain::Hash256>(hash));
    // Being fetched from another peer already (the first high-bandwidth
    // push wins): nothing to do.
    if (const auto h = download.holder(hash); h && *h != peer->key) co_return;
    // Our tip already (another push came first): nothing for the chain
    // thread; the same hash is the same, valid, header. (A best header
    // whose block we lack still wants this push.)
    if (const auto known = known_height(hash, /*or_best_header=*/false)) {
        if (*known > peer->best_height) peer->best_height = *known;
        if (download.holder(hash) == peer->key) download.received(peer->key, hash);
        co_return;
    }
    struct View {
        chain::HeadersResult headers;
        bool have_block = false;
        bool next = false;  // its parent is our tip
        std::optional<detail::PartialBlock> partial;
    };
    const std::int64_t t = now();
    // The header first, as a one-header `headers` (PoW, bits, time: the
    // same checks and penalty); then, for a block on our tip, the rebuild
    // from the pool in the same chain job.
    auto job = [c = &deps.chain, mp = &deps.mempool, m = std::move(m), t, k = peer->key, box = summary] {
        View v;
        const std::array<chain::BlockHeader, 1> hs{m.header};
        v.headers = c->accept_headers(hs, t, k);
        if (v.headers.best_header_changed) box->publish(*c);
        v.have_block = c->have_block(m.header.hash());
        v.next = m.header.prev == c->tip().hash;
        if (v.headers.ok() && !v.have_block && v.next) {
            std::vector<detail::Candidate> pool;
            pool.reserve(mp->size());
            mp->for_each_entry([&pool](const chain::MempoolEntry& e) { pool.push_back({&e.tx, e.txid, e.wtxid}); });
            v.partial.emplace(m, pool);
        }
        return v;
    };
    auto v = co_await on_chain(deps.run_on_chain, std::move(job));
    const auto& r = v.headers;
    if (r.last_height > peer->best_height) peer->best_height = r.last_height;
    if (!r.ok()) {
        if (r.validation.reason == chain::RejectReason::unknown_parent) {
            request_headers(peer);
            co_return;
        }
        if (r.validation.reason == chain::RejectReason::storage_failure) storage_failed(r.validation.message);
        if (is_peer_fault(r.validation.reason)) misbehaving(peer, "invalid header: " + r.validation.message);
        co_return;
    }
    const bool asked = download.holder(hash) == peer->key;  // our getdata(compact block)
    if (v.have_block) {
        if (asked) download.received(peer->key, hash);
        co_return;
    }
    if (peer->closed()) co_return;
    if (!v.partial) {
        // Not on our tip (it moved meanwhile): fetched whole, as any
        // announced block; from this peer if we asked it.
        if (asked)
            fetch_full(peer, hash, r.last_height, "its parent is not our tip");
        else
            co_await refresh_needed();
        co_return;
    }
    const auto height = r.last_height;
    if (const auto h = download.holder(hash); h && *h != peer->key) co_return;  // claimed meanwhile
    (void)download.claim(peer->key, hash, height, Clock::now());
    if (v.partial->complete()) {
        auto rebuilt = v.partial->take_block();
        if (!rebuilt) {
            fetch_full(peer, hash, height, "merkle root mismatch");
        } else {
            ++counters.cmpct_reconstructed;
            // No download refresh here: it would run on the chain thread
            // before this block's connect and list it as needed again (a
            // second fetch). accept_block refreshes after the connect.
            co_await take_block(peer, std::move(rebuilt->block), std::move(rebuilt->hashes));
            co_return;
        }
    } else if (peer->partial) {
        fetch_full(peer, hash, height, "another block of this peer is being rebuilt");
    } else {
        ++counters.getblocktxn_sent;
        counters.getblocktxn_indexes += v.partial->missing().size();
        peer->send(GetBlockTxnMsg{hash, v.partial->missing()});
        peer->partial = std::move(v.partial);
        peer->partial_height = height;
        peer->partial_since = Clock::now();
    }
    // The block is claimed: should its peer go, the list has it to ask others.
    co_await refresh_needed();
}

asio::awaitable<void> Node::Impl::on_blocktxn(const PeerPtr& peer, BlockTxnMsg m) {
    if (!peer->partial || peer->partial->hash() != m.hash) {
        ++counters.blocktxn_unsolicited;  // nothing asked: nothing kept, nothing checked
        co_return;
    }
    auto partial = std::move(*peer->partial);
    peer->partial.reset();
    if (!partial.fill(std::move(m.txs))) {
        fetch_full(peer, m.hash, peer->partial_height, "blocktxn count differs from the request");
        co_return;
    }
    auto rebuilt = partial.take_block();
    if (!rebuilt) {
        fetch_full(peer, m.hash, peer->partial_height, "merkle root mismatch after blocktxn");
        co_return;
    }
    ++counters.blocktxn_completed;
    co_await take_block(peer, std::move(rebuilt->block), std::move(rebuilt->hashes));
}

asio::awaitable<void> Node::Impl::on_getblocktxn(const PeerPtr& peer, GetBlockTxnMsg m) {
    co_await peer->wait_for_room();
    if (peer->closed()) co_return;
    struct Answer {
        bool found = false;
        bool in_range = true;
        BlockTxnMsg msg;
    };
    auto job = [c = &deps.chain, m = std::move(m)] {
        Answer a;
        auto b = c->read_block(m.hash);
        if (!b) return a;
        a.found = true;
        a.msg.hash = m.hash;
        for (const auto i : m.indexes) {
            if (i >= b->txs.size()) {
                a.in_range = false;
                return a;
            }
            a.msg.txs.push_back(std::move(b->txs[i]));
        }
        return a;
    };
    auto a = co_await on_chain(deps.run_on_chain, std::move(job));
    if (!a.found || peer->closed()) co_return;  // a block we lack (or pruned): ignored, as Bitcoin Core does
    if (!a.in_range) {
        misbehaving(peer, "getblocktxn index past the block's transactions");
        co_return;
    }
    peer->send(a.msg);
}

void Node::Impl::expire_partials() {
    const auto t = Clock::now();
    for (auto& [k, p] : std::map(peers)) {
        if (!p->partial || t - p->partial_since < PARTIAL_TIMEOUT) continue;
        const auto hash = p->partial->hash();
        p->partial.reset();
        fetch_full(p, hash, p->partial_height, "blocktxn not received in time");
    }
}

}  // namespace chainkit::node
