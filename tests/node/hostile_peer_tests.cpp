// A scriptable hostile chain-protocol peer against a node that is syncing
// from an honest one at the same time (issue 11, "Hostile chain peers").
// Every case checks the same four things: the honest sync completes, a
// block and a transaction from the honest side still reach the victim, what
// the offender could make the victim hold stays bounded, and the offender is
// banned exactly when docs/protocol.md §12 says so, with a log line saying why.
#include "genesis_coin.hpp"
#include "node_harness.hpp"
#include "support/raw_peer.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chainkit/net/identity.hpp>
#include <cstring>

using namespace chainkit;
using namespace chainkit::test;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t HONEST_BLOCKS = 40;
constexpr std::int64_t NOW = GENESIS_TIME + 1'000'000;  // the harness clock

node::NodeConfig victim_config() {
    auto c = TestNode::fast_config();
    c.handshake_timeout = 1s;
    return c;
}

chain::Transaction pay_from_genesis(const chain::Block& genesis, std::uint64_t payee_seed, chain::Amount value) {
    return make_spend({genesis_coin(genesis)}, genesis_key(),
                      {chain::TxOut{value, TestKey::from_seed(payee_seed).key_hash}});
}

struct Arena {
    asio::io_context io;
    chain::Block genesis = shared_genesis();
    TestNode honest{io, genesis, 1};
    TestNode victim{io, genesis, 2, victim_config()};
    RawPeer hostile{io, 99, genesis.hash()};

    Arena() { honest.mine(io, HONEST_BLOCKS); }

    std::string hostile_id() const { return hostile.host.peer_id().to_string(); }
    bool banned() const { return victim.node.bans().is_banned(hostile_id(), NOW); }
    bool connected() const { return has_peer(victim, hostile_id()); }

    void attach_hostile(bool handshake = true) {
        REQUIRE(hostile.connect(victim.addr(), handshake));
        REQUIRE(run_until(io, [&] { return connected(); }));
    }
    // Lets the victim work through what the hostile peer sent: a ping goes
    // behind it on the same stream, then chain jobs get time to finish.
    void settle() {
        const auto before = std::count_if(hostile.received.begin(), hostile.received.end(),
                                          [](const auto& m) { return std::holds_alternative<node::PongMsg>(m); });
        hostile.send(node::PingMsg{0x5e77});
        run_until(io, [&] {
            return hostile.closed || std::count_if(hostile.received.begin(), hostile.received.end(), [](const auto& m) {
                                         return std::holds_alternative<node::PongMsg>(m);
                                     }) > before;
        });
        io.run_for(200ms);
        io.restart();
    }
    void sync_with_honest() {
        REQUIRE(connect(io, victim, honest));
        REQUIRE(run_until(
            io, [&] { return victim.height() == honest.height(); }, 30s));
        CHECK(victim.chain.tip().hash == honest.chain.tip().hash);
    }
    // A block mined and a transaction made on the honest side reach the victim.
    void relay_still_works() {
        honest.mine(io, 1);
        REQUIRE(run_until(io, [&] { return victim.chain.tip().hash == honest.chain.tip().hash; }));
        const auto tx = pay_from_genesis(genesis, 600, 1000);
        std::optional<chain::ValidationResult> r;
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { r = co_await honest.node.submit_transaction(tx); }, asio::detached);
        REQUIRE(run_until(io, [&] { return r.has_value(); }));
        REQUIRE(r->ok());
        REQUIRE(run_until(io, [&] { return victim.mempool.contains(tx.txid()); }));
    }
    // Serves `block` whenever the victim asks for its hash.
    void serve_on_getdata(const chain::BlockHash& hash, chain::Block block) {
        hostile.responder = [hash, block = std::move(block)](const node::Message& m) {
            std::vector<node::Message> out;
            if (const auto* gd = std::get_if<node::GetDataMsg>(&m))
                for (const auto& item : gd->items)
                    if (item.hash == chain::hash_cast<chain::Hash256>(hash)) out.push_back(node::BlockMsg{block});
            return out;
        };
    }
    // Announces `block` by its header and serves it (possibly altered) when asked.
    void announce_and_serve(const chain::Block& announced, chain::Block served) {
        serve_on_getdata(announced.hash(), std::move(served));
        hostile.send(node::HeadersMsg{{announced.header}});
    }
    void expect_banned_for(std::string_view why) {
        REQUIRE(run_until(io, [&] { return banned() && !connected(); }));
        CHECK(victim.logged({"banned", why}));
        CHECK(victim.node.counters().peers_banned == 1);
    }
    void expect_not_banned() {
        CHECK_FALSE(banned());
        CHECK(victim.node.counters().peers_banned == 0);
    }
};

// A block on genesis carrying `txs`, header and merkle root consistent.
chain::Block block_on_genesis(const Arena& a, std::vector<chain::Transaction> txs, std::uint64_t extra) {
    return build_on(a.victim.chain, a.victim.params, a.genesis.hash(), TestKey::from_seed(90).key_hash, std::move(txs),
                    0, extra);
}

}  // namespace

TEST_CASE("hostile peer: unrequested valid blocks are ignored, not stored and not punished",
          "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    a.sync_with_honest();
    // A low-work branch off genesis, pushed as full blocks nobody asked for.
    std::vector<chain::Block> branch{
        build_child(a.genesis, a.victim.params, TestKey::from_seed(91).key_hash, {}, 0, 1)};
    for (int i = 1; i < 20; ++i)
        branch.push_back(build_child(branch.back(), a.victim.params, TestKey::from_seed(91).key_hash));
    for (const auto& b : branch) a.hostile.send(node::BlockMsg{b});
    a.settle();
    for (const auto& b : branch) CHECK_FALSE(a.victim.chain.have_block(b.hash()));
    CHECK(a.victim.chain.orphan_count() == 0);
    a.expect_not_banned();
    CHECK(a.connected());
    a.relay_still_works();
}

TEST_CASE("hostile peer: a header without its proof of work gets the sender banned", "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    auto header = block_on_genesis(a, {}, 1).header;
    while (chain::check_proof_of_work(header.hash(), header.bits, a.victim.params.pow_limit)) ++header.nonce;
    a.hostile.send(node::HeadersMsg{{header}});
    a.expect_banned_for("invalid header");
    a.sync_with_honest();
    a.relay_still_works();
}

TEST_CASE("hostile peer: a relay that alters a valid block's body is banned and the honest block still connects",
          "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    // The honest chain's first block, announced by the hostile peer first and
    // served with its coinbase data changed: the header no longer matches.
    const auto honest_block = *a.honest.chain.read_block(*a.honest.chain.block_hash_at(1));
    auto altered = honest_block;
    altered.txs[0].inputs[0].signature[0] ^= 0x01;
    a.announce_and_serve(honest_block, altered);
    a.expect_banned_for("invalid block");
    a.sync_with_honest();  // block 1 among them: its hash was never marked failed
    CHECK(a.victim.chain.on_active_chain(honest_block.hash()));
    a.relay_still_works();
}

TEST_CASE("hostile peer: a block that double-spends gets the sender banned", "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    const auto bad =
        block_on_genesis(a, {pay_from_genesis(a.genesis, 700, 1000), pay_from_genesis(a.genesis, 701, 2000)}, 2);
    a.announce_and_serve(bad, bad);
    a.expect_banned_for("invalid block");
    CHECK_FALSE(a.victim.chain.have_block(bad.hash()));
    a.sync_with_honest();
    a.relay_still_works();
}

TEST_CASE("hostile peer: a block with a bad signature gets the sender banned", "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    auto tx = pay_from_genesis(a.genesis, 702, 1000);
    tx.inputs[0].signature[10] ^= 0x40;
    const auto bad = block_on_genesis(a, {tx}, 3);  // merkle root over the bad bytes: only the signature fails
    a.announce_and_serve(bad, bad);
    a.expect_banned_for("invalid block");
    a.sync_with_honest();
    a.relay_still_works();
}

TEST_CASE("hostile peer: endless low-work header branches are held within a bound and cost no ban",
          "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    a.sync_with_honest();
    const auto index_before = a.victim.chain.index_size();
    // 30 branches of 30 valid headers off genesis: each less work than the tip.
    for (std::uint64_t branch = 0; branch < 30; ++branch) {
        std::vector<chain::BlockHeader> hs;
        auto b = build_child(a.genesis, a.victim.params, TestKey::from_seed(92).key_hash, {}, 0, 1000 + branch);
        for (int i = 0; i < 30; ++i) {
            hs.push_back(b.header);
            b = build_child(b, a.victim.params, TestKey::from_seed(92).key_hash);
        }
        a.hostile.send(node::HeadersMsg{std::move(hs)});
    }
    a.settle();
    CHECK(a.victim.chain.index_size() == index_before);
    CHECK(a.victim.chain.low_work_headers().size() <= chain::MAX_LOW_WORK_HEADERS_PER_SENDER);
    a.expect_not_banned();
    a.relay_still_works();
}

TEST_CASE("hostile peer: inv and addr floods are bounded and cost no ban", "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    std::uint64_t counter = 0;
    for (int m = 0; m < 20; ++m) {
        node::InvMsg inv;
        for (std::size_t i = 0; i < node::MAX_INV_PER_MESSAGE; ++i) {
            chain::Hash256 h{};
            ++counter;
            std::memcpy(h.bytes().data(), &counter, sizeof counter);
            inv.items.push_back({node::InvType::tx, h});
        }
        a.hostile.send(std::move(inv));
    }
    for (int m = 0; m < 3; ++m) {
        node::AddrMsg addr;
        for (std::size_t i = 0; i < node::MAX_ADDRS_PER_MESSAGE; ++i) {
            const auto id = net::Identity::from_seed(10'000 + m * 1000 + i).peer_id().to_string();
            addr.addrs.push_back({fmt::format("/ip4/10.9.{}.{}/tcp/4000/p2p/{}", i / 250, i % 250, id), NOW});
        }
        a.hostile.send(std::move(addr));
    }
    a.settle();
    // One source adds at most max_new_per_source (64) addresses to the book.
    CHECK(a.victim.node.address_book().size() <= node::AddressBookLimits{}.max_new_per_source);
    a.expect_not_banned();
    a.sync_with_honest();
    a.relay_still_works();
}

TEST_CASE("hostile peer: getdata for unknown items and for the whole chain is answered within bounds",
          "[node][hostile][integration]") {
    Arena a;
    a.attach_hostile();
    a.sync_with_honest();
    node::GetDataMsg unknown;
    for (std::uint64_t i = 0; i < node::MAX_INV_PER_MESSAGE; ++i) {
        chain::Hash256 h{};
        std::memcpy(h.bytes().data(), &i, sizeof i);
        unknown.items.push_back({node::InvType::block, h});
    }
    a.hostile.send(unknown);
    node::GetDataMsg everything;
    for (std::uint64_t h = 0; h <= a.victim.height(); ++h)
        everything.items.push_back(
            {node::InvType::block, chain::hash_cast<chain::Hash256>(*a.victim.chain.block_hash_at(h))});
    for (int i = 0; i < 10; ++i) a.hostile.send(everything);
    const auto blocks_expected = 10 * everything.items.size();
    REQUIRE(run_until(a.io, [&] {
        return static_cast<std::size_t>(std::count_if(
                   a.hostile.received.begin(), a.hostile.received.end(),
                   [](const auto& m) { return std::holds_alternative<node::BlockMsg>(m); })) == blocks_expected;
    }));
    const bool got_notfound = std::any_of(a.hostile.received.begin(), a.hostile.received.end(), [](const auto& m) {
        const auto* nf = std::get_if<node::NotFoundMsg>(&m);
        return nf && nf->items.size() == node::MAX_INV_PER_MESSAGE;
    });
    CHECK(got_notfound);
    a.expect_not_banned();
    a.relay_still_works();
}

TEST_CASE("hostile peer: version twice gets a ban; no version at all only a disconnect",
          "[node][hostile][integration]") {
    SECTION("version twice") {
        Arena a;
        a.attach_hostile();
        node::VersionMsg v;
        v.genesis = a.genesis.hash();
        a.hostile.send(v);
        a.expect_banned_for("sent version twice");
        a.sync_with_honest();
        a.relay_still_works();
    }
    SECTION("never a version") {
        Arena a;
        a.attach_hostile(/*handshake=*/false);
        REQUIRE(run_until(
            a.io, [&] { return !a.connected(); }, 5s));
        CHECK(a.victim.logged({"dropped", "no handshake in time"}));
        a.expect_not_banned();
        a.sync_with_honest();
        a.relay_still_works();
    }
}

TEST_CASE("hostile peer: oversized and truncated messages end the session without a ban",
          "[node][hostile][integration]") {
    SECTION("oversized") {
        Arena a;
        a.attach_hostile();
        a.hostile.send_raw(chain::Bytes(node::max_message_size(a.victim.params.max_block_size) + 1, 0x07));
        REQUIRE(run_until(a.io, [&] { return !a.connected(); }));
        CHECK(a.victim.logged({"dropped"}));
        a.expect_not_banned();
        a.sync_with_honest();
        a.relay_still_works();
    }
    SECTION("truncated") {
        Arena a;
        a.attach_hostile();
        auto body = node::encode_message(node::BlockMsg{block_on_genesis(a, {}, 4)});
        body.resize(body.size() / 2);
        a.hostile.send_raw(body);
        REQUIRE(run_until(a.io, [&] { return !a.connected(); }));
        CHECK(a.victim.logged({"dropped", "block"}));
        a.expect_not_banned();
        a.sync_with_honest();
        a.relay_still_works();
    }
}
