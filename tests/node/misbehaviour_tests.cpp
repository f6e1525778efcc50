#include "genesis_coin.hpp"
#include "node_harness.hpp"
#include "support/raw_peer.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::test;

namespace {

chain::Transaction spend_genesis(const TestNode& n, const TestKey& to, chain::Amount value) {
    auto coins = n.chain.coins_for(genesis_key().key_hash);
    REQUIRE(coins.ok());
    REQUIRE_FALSE(coins->empty());
    return make_spend({coins->front()}, genesis_key(), {chain::TxOut{value, to.key_hash}});
}

}  // namespace

TEST_CASE("an invalid block is refused, its sender banned, and it is not relayed", "[node][ban][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode a(io, genesis, 1);
    TestNode c(io, genesis, 3);
    REQUIRE(connect(io, c, a));
    RawPeer hostile(io, 99, genesis.hash());
    REQUIRE(hostile.connect(a.addr()));
    REQUIRE(run_until(io, [&] { return has_peer(a, hostile.host.peer_id().to_string()); }));

    // A coinbase paying twice the subsidy: consensus-invalid, header valid.
    chain::BlockContext ctx = a.chain.next_block_context(GENESIS_TIME + 30);
    const auto bad =
        make_block_paying(ctx, genesis_key().key_hash, 2 * chain::block_subsidy(1, a.params), {}, a.params);
    // Announced by its header (valid), then served when the node asks.
    hostile.responder = [bad](const node::Message& m) {
        std::vector<node::Message> out;
        if (std::holds_alternative<node::GetDataMsg>(m)) out.push_back(node::BlockMsg{bad});
        return out;
    };
    hostile.send(node::HeadersMsg{{bad.header}});

    const auto id = hostile.host.peer_id().to_string();
    REQUIRE(run_until(io, [&] { return a.node.bans().is_banned(id, GENESIS_TIME + 1'000'000); }));
    REQUIRE(run_until(io, [&] { return !has_peer(a, id) && hostile.closed; }));
    const auto counters = a.node.counters();
    CHECK(counters.peers_banned == 1);
    // The metrics' view of it: one rejection under its reason, the block's bytes by type.
    CHECK(counters.blocks_rejected == 1);
    REQUIRE(counters.blocks_rejected_by_reason.size() == 1);
    CHECK(counters.blocks_rejected_by_reason.begin()->second == 1);
    CHECK(counters.bytes_received_by_type[static_cast<std::size_t>(node::MessageType::block)] >=
          node::encode_message(node::BlockMsg{bad}).size());
    CHECK(counters.validations >= 1);
    CHECK(a.height() == 0);
    CHECK_FALSE(c.chain.contains(bad.hash()));  // never relayed

    // A banned peer cannot come back.
    RawPeer again(io, 99, genesis.hash());
    again.connect(a.addr());
    CHECK(run_until(io, [&] { return again.closed; }));
    CHECK_FALSE(has_peer(a, id));
}

TEST_CASE("a transaction is relayed to every mempool and a double spend to none", "[node][relay][integration]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    TestNode a(io, genesis, 1);
    TestNode b(io, genesis, 2);
    TestNode c(io, genesis, 3);
    REQUIRE(connect(io, b, a));
    REQUIRE(connect(io, c, b));

    const auto payee = TestKey::from_seed(500);
    const auto tx1 = spend_genesis(a, payee, 1000);
    const auto tx2 = spend_genesis(c, TestKey::from_seed(501), 2000);  // same coin, other payee
    std::optional<chain::ValidationResult> r1, r2;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { r1 = co_await a.node.submit_transaction(tx1); }, asio::detached);
    REQUIRE(run_until(io, [&] { return r1.has_value(); }));
    REQUIRE(r1->ok());
    REQUIRE(run_until(io, [&] { return c.mempool.contains(tx1.txid()); }));
    CHECK(b.mempool.contains(tx1.txid()));

    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { r2 = co_await c.node.submit_transaction(tx2); }, asio::detached);
    REQUIRE(run_until(io, [&] { return r2.has_value(); }));
    CHECK(r2->reason == chain::RejectReason::mempool_conflict);
    // A conflicting spend is no peer's fault: nobody is banned.
    io.run_for(std::chrono::milliseconds(200));
    for (const auto* n : {&a, &b, &c}) {
        CHECK_FALSE(n->mempool.contains(tx2.txid()));
        CHECK(n->node.bans().size() == 0);
    }
}
