// Compact block relay between nodes (docs/protocol.md, "Compact block
// relay"): a block whose transactions the receiver has costs no
// getblocktxn and no full block; one it lacks costs one index; whatever
// does not add up is fetched whole and never punished; the hostile cases
// (getblocktxn out of range, unsolicited blocktxn, oversized counts, a bad
// header) cost what the ban table says, and nothing unbounded.
#include "compact_block.hpp"
#include "genesis_coin.hpp"
#include "node_harness.hpp"
#include "support/raw_peer.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::test;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t NOW = GENESIS_TIME + 1'000'000;  // the harness clock

// A payment of the genesis coin; `value` makes distinct spends of it.
chain::Transaction spend_genesis(const chain::Block& genesis, chain::Amount value) {
    return make_spend({genesis_coin(genesis)}, genesis_key(), {chain::TxOut{value, genesis_key().key_hash}});
}
// A payment of output 0 of `parent`.
chain::Transaction spend_output(const chain::Transaction& parent, chain::Amount value) {
    chain::OwnedCoin c;
    c.outpoint = chain::OutPoint{parent.txid(), 0};
    c.coin.out = parent.outputs[0];
    return make_spend({c}, genesis_key(), {chain::TxOut{value, genesis_key().key_hash}});
}

void submit(asio::io_context& io, TestNode& n, const chain::Transaction& tx) {
    std::optional<chain::ValidationResult> r;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { r = co_await n.node.submit_transaction(tx); }, asio::detached);
    REQUIRE(run_until(io, [&] { return r.has_value(); }));
    REQUIRE(r->ok());
}

// Two nodes; `dialer` dials `miner`, so the dialer asks the miner for
// high-bandwidth relay (cmpctblock pushed) when `high_bandwidth`, else the
// miner dials and announces by header (the dialer asks for the compact block).
struct Pair {
    asio::io_context io;
    chain::Block genesis = shared_genesis();
    TestNode miner{io, genesis, 1};
    TestNode peer{io, genesis, 2};

    explicit Pair(bool high_bandwidth) {
        if (high_bandwidth) {
            REQUIRE(connect(io, peer, miner));
            // The sendcmpct went out right after the handshake.
            REQUIRE(run_until(io, [&] {
                return miner.node.counters().bytes_received_by_type[static_cast<int>(node::MessageType::sendcmpct)] > 0;
            }));
        } else {
            REQUIRE(connect(io, miner, peer));
        }
    }
    bool synced() const { return peer.chain.tip().hash == miner.chain.tip().hash; }
};

}  // namespace

TEST_CASE("a block whose transactions are all in the peer's pool connects from its cmpctblock alone",
          "[node][relay][cmpct][integration]") {
    const bool high_bandwidth = GENERATE(true, false);
    Pair p(high_bandwidth);
    const auto tx = spend_genesis(p.genesis, 5'000);
    submit(p.io, p.miner, tx);
    REQUIRE(run_until(p.io, [&] { return p.peer.mempool.contains(tx.txid()); }));
    const auto before = p.peer.node.counters();
    p.miner.mine(p.io, 1, {tx});
    REQUIRE(run_until(p.io, [&] { return p.synced(); }));
    const auto c = p.peer.node.counters();
    CHECK(c.cmpct_received - before.cmpct_received == 1);
    CHECK(c.cmpct_reconstructed - before.cmpct_reconstructed == 1);
    CHECK(c.getblocktxn_sent == before.getblocktxn_sent);
    CHECK(c.block_getdata_sent == before.block_getdata_sent);
    CHECK(c.cmpct_fallbacks == 0);
    CHECK(p.miner.node.counters().bytes_sent_by_type[static_cast<int>(node::MessageType::block)] == 0);
    CHECK_FALSE(p.peer.mempool.contains(tx.txid()));  // confirmed: out of the pool
}

TEST_CASE("a block with one transaction the peer lacks costs one getblocktxn of one index",
          "[node][relay][cmpct][integration]") {
    const bool high_bandwidth = GENERATE(true, false);
    Pair p(high_bandwidth);
    const auto tx1 = spend_genesis(p.genesis, 5'000);
    submit(p.io, p.miner, tx1);
    REQUIRE(run_until(p.io, [&] { return p.peer.mempool.contains(tx1.txid()); }));
    // Into the miner's pool only: never announced.
    const auto tx2 = spend_output(tx1, 4'000);
    REQUIRE(p.miner.mempool.accept(tx2).ok());
    p.miner.mine(p.io, 1, {tx1, tx2});
    REQUIRE(run_until(p.io, [&] { return p.synced(); }));
    const auto c = p.peer.node.counters();
    CHECK(c.getblocktxn_sent == 1);
    CHECK(c.getblocktxn_indexes == 1);
    CHECK(c.blocktxn_completed == 1);
    CHECK(c.block_getdata_sent == 0);
    CHECK(c.cmpct_fallbacks == 0);
}

namespace {

// A victim node and a raw peer that dialed it.
struct Hostile {
    asio::io_context io;
    chain::Block genesis = shared_genesis();
    TestNode victim{io, genesis, 2};
    RawPeer raw{io, 99, genesis.hash()};

    Hostile() {
        REQUIRE(raw.connect(victim.addr()));
        REQUIRE(run_until(io, [&] { return has_peer(victim, id(), true); }));
    }
    std::string id() const { return raw.host.peer_id().to_string(); }
    bool banned() const { return victim.node.bans().is_banned(id(), NOW); }
    bool connected() const { return has_peer(victim, id()); }
    // A ping behind what was sent, answered: the victim read all of it.
    bool settle() {
        const auto pongs = [&] {
            return std::count_if(raw.received.begin(), raw.received.end(),
                                 [](const auto& m) { return std::holds_alternative<node::PongMsg>(m); });
        };
        const auto before = pongs();
        raw.send(node::PingMsg{0x5e77});
        const bool ok = run_until(io, [&] { return raw.closed || pongs() > before; });
        io.run_for(100ms);
        io.restart();
        return ok && !raw.closed;
    }
    chain::Block block_on_genesis(std::vector<chain::Transaction> txs) {
        return build_on(victim.chain, victim.params, genesis.hash(), TestKey::from_seed(90).key_hash, std::move(txs), 0,
                        1);
    }
    // Answers getblocktxn with `wrong` and getdata(block) with `block`.
    void serve(const chain::Block& block, std::vector<chain::Transaction> wrong) {
        raw.responder = [block, wrong](const node::Message& m) {
            std::vector<node::Message> out;
            if (const auto* g = std::get_if<node::GetBlockTxnMsg>(&m)) out.push_back(node::BlockTxnMsg{g->hash, wrong});
            if (const auto* gd = std::get_if<node::GetDataMsg>(&m))
                for (const auto& item : gd->items)
                    if (item.type == node::InvType::block &&
                        item.hash == chain::hash_cast<chain::Hash256>(block.hash()))
                        out.push_back(node::BlockMsg{block});
            return out;
        };
    }
};

}  // namespace

TEST_CASE("a blocktxn with the wrong transactions: the block is fetched whole and connects, no ban",
          "[node][relay][cmpct][hostile][integration]") {
    Hostile h;
    const auto block = h.block_on_genesis({spend_genesis(h.genesis, 5'000)});
    h.serve(block, {spend_genesis(h.genesis, 6'000)});
    h.raw.send(node::detail::make_compact(block, 3));
    REQUIRE(run_until(h.io, [&] { return h.victim.chain.tip().hash == block.hash(); }));
    const auto c = h.victim.node.counters();
    CHECK(c.getblocktxn_sent == 1);
    CHECK(c.cmpct_fallbacks == 1);
    CHECK(c.block_getdata_sent == 1);
    CHECK_FALSE(h.banned());
    CHECK(h.connected());
}

TEST_CASE("a short id that names the wrong pool transaction: the block is fetched whole and connects, no ban",
          "[node][relay][cmpct][hostile][integration]") {
    Hostile h;
    const auto in_pool = spend_genesis(h.genesis, 5'000);
    REQUIRE(h.victim.mempool.accept(in_pool).ok());
    const auto block = h.block_on_genesis({spend_genesis(h.genesis, 6'000)});  // spends the same coin otherwise
    auto cmpct = node::detail::make_compact(block, 3);
    cmpct.short_ids[0] = node::detail::short_id(node::detail::short_id_key(cmpct.header, 3), in_pool.wtxid());
    h.serve(block, {});
    h.raw.send(cmpct);
    REQUIRE(run_until(h.io, [&] { return h.victim.chain.tip().hash == block.hash(); }));
    const auto c = h.victim.node.counters();
    CHECK(c.getblocktxn_sent == 0);  // the pool filled every position: the merkle root said no
    CHECK(c.cmpct_fallbacks == 1);
    CHECK_FALSE(h.banned());
    CHECK(h.connected());
}

TEST_CASE("hostile peer: getblocktxn past a block's transactions is banned; for an unknown block ignored",
          "[node][cmpct][hostile][integration]") {
    Hostile h;
    h.raw.send(node::GetBlockTxnMsg{chain::BlockHash{}, {0}});  // no such block
    REQUIRE(h.settle());
    CHECK_FALSE(h.banned());
    CHECK(std::none_of(h.raw.received.begin(), h.raw.received.end(),
                       [](const auto& m) { return std::holds_alternative<node::BlockTxnMsg>(m); }));
    h.raw.send(node::GetBlockTxnMsg{h.genesis.hash(), {0}});  // in range: answered
    REQUIRE(run_until(h.io, [&] {
        return std::any_of(h.raw.received.begin(), h.raw.received.end(),
                           [](const auto& m) { return std::holds_alternative<node::BlockTxnMsg>(m); });
    }));
    h.raw.send(node::GetBlockTxnMsg{h.genesis.hash(), {0, 1}});  // genesis has one transaction
    REQUIRE(run_until(h.io, [&] { return h.banned() && !h.connected(); }));
    CHECK(h.victim.logged({"banned", "getblocktxn index"}));
}

TEST_CASE("hostile peer: unsolicited blocktxn is ignored, kept nowhere and not banned",
          "[node][cmpct][hostile][integration]") {
    Hostile h;
    const auto block = h.block_on_genesis({spend_genesis(h.genesis, 5'000)});
    for (int i = 0; i < 50; ++i) h.raw.send(node::BlockTxnMsg{block.hash(), block.txs});
    REQUIRE(h.settle());
    CHECK(h.victim.node.counters().blocktxn_unsolicited == 50);
    CHECK_FALSE(h.victim.chain.have_block(block.hash()));
    CHECK_FALSE(h.banned());
    CHECK(h.connected());
}

TEST_CASE("hostile peer: a cmpctblock whose header lacks its proof of work is banned as a bad header",
          "[node][cmpct][hostile][integration]") {
    Hostile h;
    auto block = h.block_on_genesis({});
    while (chain::check_proof_of_work(block.header.hash(), block.header.bits, h.victim.params.pow_limit))
        ++block.header.nonce;
    h.raw.send(node::detail::make_compact(block, 1));
    REQUIRE(run_until(h.io, [&] { return h.banned() && !h.connected(); }));
    CHECK(h.victim.logged({"banned", "invalid header"}));
}

TEST_CASE("hostile peer: oversized compact-block counts end the session without a ban",
          "[node][cmpct][hostile][integration]") {
    Hostile h;
    // getblocktxn claiming 100,000 indexes (over the 1 MB block's 6,024).
    chain::Bytes body{static_cast<std::uint8_t>(node::MessageType::getblocktxn), 1};
    body.resize(body.size() + 32, 0);
    for (std::uint32_t v : {100'000u, 0u, 1u}) {
        for (int i = 0; i < 4; ++i) body.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    h.raw.send_raw(body);
    REQUIRE(run_until(h.io, [&] { return !h.connected(); }));
    CHECK_FALSE(h.banned());
    CHECK(h.victim.node.counters().peers_banned == 0);
}

TEST_CASE(
    "an announcement of the node's own tip, by header or by cmpctblock, records the peer's height and "
    "nothing else",
    "[node][relay][cmpct][integration]") {
    // Most announcements of a new block reach a node after it connected the
    // block from the first: answered without a chain job (known_height), so
    // what the job used to record, the peer's height, must still be recorded.
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode n{io, genesis, 1};
    n.mine(io, 3);
    RawPeer peer{io, 77, genesis.hash()};
    REQUIRE(peer.connect(n.addr()));
    const auto id = peer.host.peer_id().to_string();
    REQUIRE(run_until(io, [&] { return has_peer(n, id, true); }));
    const auto peer_height = [&] {
        for (const auto& p : n.node.peers())
            if (p.peer_id == id) return p.best_height;
        return std::uint64_t{0};
    };
    REQUIRE(peer_height() == 0);
    const auto tip = *n.store.read_block(n.chain.tip().hash).value();
    SECTION("headers") {
        peer.send(node::HeadersMsg{{tip.header}});
    }
    SECTION("cmpctblock") {
        peer.send(node::detail::make_compact(tip, 7));
    }
    REQUIRE(run_until(io, [&] { return peer_height() == 3; }));
    const auto c = n.node.counters();
    CHECK(c.cmpct_reconstructed == 0);
    CHECK(c.getblocktxn_sent == 0);
    CHECK(c.block_getdata_sent == 0);
    CHECK(n.chain.height() == 3);
    CHECK_FALSE(n.node.bans().is_banned(id, NOW));
}
