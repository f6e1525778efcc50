// Transaction relay under load (issue 11, "Load"): announcements beyond
// what a peer may have in flight are remembered and fetched later, an
// unanswered request goes to another announcer, a block is not stuck
// behind a transaction flood on the same session, and transactions a reorg
// returns to the pool are announced again.
#include "node_harness.hpp"
#include "support/raw_peer.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <set>

using namespace chainkit;
using namespace chainkit::test;
using namespace std::chrono_literals;

namespace {

const TestKey& genesis_key() {
    static const TestKey k = TestKey::from_seed(1);
    return k;
}

chain::OwnedCoin genesis_coin(const chain::Block& genesis) {
    chain::OwnedCoin c;
    c.outpoint = chain::OutPoint{genesis.txs[0].txid(), 0};
    c.coin.out = genesis.txs[0].outputs[0];
    return c;
}

// `n` payments, each spending the previous one's output (the first spends
// the genesis coin): valid in order, each costing a signature check.
std::vector<chain::Transaction> payment_chain(const chain::Block& genesis, std::size_t n) {
    std::vector<chain::Transaction> out;
    auto coin = genesis_coin(genesis);
    for (std::size_t i = 0; i < n; ++i) {
        auto tx = make_spend({coin}, genesis_key(), {chain::TxOut{coin.coin.out.value - 1000, genesis_key().key_hash}});
        coin.outpoint = chain::OutPoint{tx.txid(), 0};
        coin.coin.out = tx.outputs[0];
        out.push_back(std::move(tx));
    }
    return out;
}

// A transaction spending an output nobody has: an orphan to the node (no
// fault, no signature check), distinct per `n`.
chain::Transaction orphan_tx(std::uint64_t n) {
    chain::Transaction tx;
    chain::TxIn in;
    std::memcpy(in.prevout.txid.bytes().data(), &n, sizeof n);
    in.prevout.txid.bytes()[31] = 0x0f;
    tx.inputs.push_back(in);
    tx.outputs.push_back(chain::TxOut{1000, genesis_key().key_hash});
    return tx;
}

node::InvMsg inv_of(const std::vector<chain::Transaction>& txs, std::size_t from, std::size_t to) {
    node::InvMsg inv;
    for (std::size_t i = from; i < to; ++i)
        inv.items.push_back({node::InvType::tx, chain::hash_cast<chain::Hash256>(txs[i].txid())});
    return inv;
}

// A raw peer that records the transactions the node asks of it, answers
// getheaders with nothing, and answers getdata(tx) only when the test says.
struct Announcer {
    RawPeer peer;
    std::set<chain::TxId> asked;
    std::deque<chain::TxId> to_answer;

    Announcer(asio::io_context& io, std::uint64_t seed, const chain::Block& genesis) : peer(io, seed, genesis.hash()) {
        peer.responder = [this](const node::Message& m) {
            std::vector<node::Message> out;
            if (std::holds_alternative<node::GetHeadersMsg>(m)) out.push_back(node::HeadersMsg{});
            if (const auto* gd = std::get_if<node::GetDataMsg>(&m))
                for (const auto& item : gd->items)
                    if (item.type == node::InvType::tx) {
                        const auto txid = chain::hash_cast<chain::TxId>(item.hash);
                        if (asked.insert(txid).second) to_answer.push_back(txid);
                    }
            return out;
        };
    }
    void attach(asio::io_context& io, TestNode& n) {
        REQUIRE(peer.connect(n.addr()));
        const auto id = peer.host.peer_id().to_string();
        REQUIRE(run_until(io, [&] { return has_peer(n, id, true); }));
    }
};

}  // namespace

TEST_CASE("announcements beyond the requests a slow peer may have in flight are fetched in the end",
          "[node][relay][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode n(io, genesis, 2);
    Announcer a(io, 99, genesis);
    a.attach(io, n);

    constexpr std::size_t COUNT = 6000;  // more than a peer ever had in flight (5,000)
    std::vector<chain::Transaction> txs;
    std::map<chain::TxId, chain::Transaction> by_id;
    for (std::size_t i = 0; i < COUNT; ++i) {
        txs.push_back(orphan_tx(i + 1));
        by_id.emplace(txs.back().txid(), txs.back());
    }
    std::vector<node::Message> invs;
    for (std::size_t i = 0; i < COUNT; i += node::MAX_INV_PER_MESSAGE)
        invs.push_back(inv_of(txs, i, std::min(COUNT, i + node::MAX_INV_PER_MESSAGE)));
    a.peer.send_all(std::move(invs));

    // The peer answers 50 requests per turn of the loop: slowly.
    const bool all = run_until(
        io,
        [&] {
            std::vector<node::Message> answers;
            while (!a.to_answer.empty() && answers.size() < 50) {
                answers.push_back(node::TxMsg{by_id.at(a.to_answer.front())});
                a.to_answer.pop_front();
            }
            if (!answers.empty()) a.peer.send_all(std::move(answers));
            return a.asked.size() == COUNT;
        },
        15s);
    CHECK(a.asked.size() == COUNT);
    CHECK(all);
    CHECK_FALSE(a.peer.closed);
}

// Two raw peers; the first announces a transaction and gets the request,
// the second announces it after that and gets asked only if the first fails.
struct TwoAnnouncers {
    asio::io_context io;
    chain::Block genesis = shared_genesis();
    TestNode n;
    Announcer first{io, 98, genesis};
    Announcer second{io, 99, genesis};
    chain::Transaction tx = orphan_tx(7);

    explicit TwoAnnouncers(std::chrono::milliseconds timeout) : n(io, genesis, 2, config(timeout)) {
        first.attach(io, n);
        second.attach(io, n);
        const std::vector<chain::Transaction> one{tx};
        first.peer.send(inv_of(one, 0, 1));
        REQUIRE(run_until(io, [&] { return first.asked.contains(tx.txid()); }));
        second.peer.send(inv_of(one, 0, 1));
    }
    static node::NodeConfig config(std::chrono::milliseconds timeout) {
        auto c = TestNode::fast_config();
        c.tx_request_timeout = timeout;
        return c;
    }
};

TEST_CASE("a transaction request never answered is asked of another peer that announced it",
          "[node][relay][integration]") {
    TwoAnnouncers t(300ms);
    REQUIRE(run_until(
        t.io, [&] { return t.second.asked.contains(t.tx.txid()); }, 5s));
    CHECK(t.first.asked.size() == 1);
}

TEST_CASE("a transaction requested of a peer that disconnects is asked of another announcer at once",
          "[node][relay][integration]") {
    TwoAnnouncers t(60s);
    t.io.run_for(100ms);  // the second announcement is in
    t.io.restart();
    CHECK_FALSE(t.second.asked.contains(t.tx.txid()));
    t.first.peer.host.stop();
    REQUIRE(run_until(
        t.io, [&] { return t.second.asked.contains(t.tx.txid()); }, 5s));
}

TEST_CASE("a block announced behind a transaction flood on the same session connects before the flood is validated",
          "[node][relay][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode n(io, genesis, 2);
    RawPeer peer(io, 99, genesis.hash());
    const auto block = build_on(n.chain, n.params, genesis.hash(), TestKey::from_seed(90).key_hash, {}, 0, 1);
    peer.responder = [&](const node::Message& m) {
        std::vector<node::Message> out;
        if (std::holds_alternative<node::GetHeadersMsg>(m)) out.push_back(node::HeadersMsg{});
        if (const auto* gd = std::get_if<node::GetDataMsg>(&m))
            for (const auto& item : gd->items)
                if (item.type == node::InvType::block && item.hash == chain::hash_cast<chain::Hash256>(block.hash()))
                    out.push_back(node::BlockMsg{block});
        return out;
    };
    REQUIRE(peer.connect(n.addr()));
    REQUIRE(run_until(io, [&] { return has_peer(n, peer.host.peer_id().to_string(), true); }));

    constexpr std::size_t FLOOD = 2000;
    std::vector<node::Message> msgs;
    for (auto& tx : payment_chain(genesis, FLOOD)) msgs.push_back(node::TxMsg{std::move(tx)});
    msgs.push_back(node::HeadersMsg{{block.header}});
    std::optional<std::size_t> pool_when_connected;
    n.node.on_tip_changed([&](const chain::ChainTip&) {
        if (!pool_when_connected) pool_when_connected = n.mempool.size();
    });
    peer.send_all(std::move(msgs));

    // The node's tip notification (the chain state moves a moment before it).
    REQUIRE(run_until(
        io, [&] { return pool_when_connected.has_value(); }, 30s));
    CHECK(n.chain.tip().hash == block.hash());
    // The block waited for a few transactions, not for the flood.
    CHECK(*pool_when_connected < FLOOD / 4);
    // And the flood is still taken, in order.
    REQUIRE(run_until(
        io, [&] { return n.mempool.size() == FLOOD; }, 30s));
}

TEST_CASE("transactions a reorg returns to the pool are announced again", "[node][relay][reorg][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode a(io, genesis, 1);
    TestNode b(io, genesis, 2);
    // Apart: a confirms a payment in the first of 2 blocks, b mines 3 empty ones.
    const auto tx = payment_chain(genesis, 1).front();
    a.mine(io, 1, {tx});
    a.mine(io, 1);
    b.mine(io, 3);

    REQUIRE(connect(io, a, b));
    REQUIRE(run_until(io, [&] { return a.chain.tip().hash == b.chain.tip().hash; }));
    REQUIRE(run_until(io, [&] { return a.mempool.contains(tx.txid()); }));
    // b never had it in a block or its pool: only a's announcement brings it.
    CHECK(run_until(
        io, [&] { return b.mempool.contains(tx.txid()); }, 3s));
}
