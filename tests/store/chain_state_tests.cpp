// ChainState over both stores: reorgs of depth 1 and 50 checked against a
// rebuild, an invalid block mid-branch, orphans in reverse order, double
// spends within and across blocks, headers first, reindex and verify.
#include "store_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace chainkit;
using namespace chainkit::test;
using chain::RejectReason;

namespace {

// Spends output 0 (the coinbase payout) of `b`'s coinbase, owned by `owner`.
chain::Transaction pay_coinbase(const chain::Block& b, const TestKey& owner, const chain::KeyHash& to,
                                chain::Amount fee) {
    const auto& out = b.txs[0].outputs[0];
    chain::OwnedCoin coin{chain::OutPoint{b.txs[0].txid(), 0}, chain::Coin{out, 0, true}};
    return make_spend({coin}, owner, {chain::TxOut{out.value - fee, to}});
}

// The stored UTXO set, address index and balances equal a rebuild.
void check_against_rebuild(const chain::ChainState& cs, const chain::ConsensusParams& p) {
    auto report = cs.verify();
    REQUIRE(report.ok());
    INFO(report->first_difference);
    CHECK(report->ok);
    const auto balances = rebuild_balances(cs, p);
    CHECK(!balances.empty());
    for (const auto& [key, amount] : balances) CHECK(indexed_balance(cs, key) == amount);
}

struct CountingObserver final : chain::ChainObserver {
    int connected = 0, disconnected = 0, tips = 0;
    int wrong_txids = 0;  // connects whose txids were not the block's, in order
    void on_block_connected(const chain::Block& b, std::uint64_t, std::span<const chain::TxId> txids) override {
        ++connected;
        bool same = txids.size() == b.txs.size();
        for (std::size_t i = 0; same && i < txids.size(); ++i) same = txids[i] == b.txs[i].txid();
        if (!same) ++wrong_txids;
    }
    void on_block_disconnected(const chain::Block&, std::uint64_t) override { ++disconnected; }
    void on_tip_changed(const chain::BlockHash&, std::uint64_t) override { ++tips; }
};

// Mines `n` blocks on `prev`, each spending the previous block's coinbase to
// `to`, accepting each into `node`; returns them.
template <class N>
std::vector<chain::Block> extend(N& node, chain::Block prev, int n, const chain::KeyHash& to, std::uint64_t extra) {
    std::vector<chain::Block> out;
    for (int i = 0; i < n; ++i) {
        auto b = node.build_on(prev.hash(), {pay_coinbase(prev, node.miner, to, 100)}, 100, extra);
        auto r = node.state.accept_block(b, node.now());
        INFO(r.validation.message);
        REQUIRE(r.ok());
        out.push_back(b);
        prev = b;
    }
    return out;
}

}  // namespace

TEMPLATE_TEST_CASE("a heavier branch one block deep reorganizes the chain", "[chain_state]", MemoryBackend,
                   RocksBackend) {
    Node<TestType> n;
    CountingObserver obs;
    n.state.add_observer(&obs);
    std::vector<std::string> lines;
    n.state.set_log([&](std::string_view l) { lines.emplace_back(l); });
    const auto key2 = TestKey::from_seed(2);
    auto main = extend(n, n.genesis, 3, key2.key_hash, 0);
    REQUIRE(n.state.height() == 3);
    check_against_rebuild(n.state, n.params);

    // Branch from height 2: equal work keeps the first seen, more work wins.
    auto c3 = n.build_on(main[1].hash(), {pay_coinbase(main[1], n.miner, key2.key_hash, 7)}, 7, 1);
    auto r = n.state.accept_block(c3, n.now());
    REQUIRE(r.ok());
    CHECK_FALSE(r.tip_changed);
    CHECK(n.state.tip().hash == main[2].hash());
    auto c4 = n.child(c3, {}, 0, 1);
    r = n.state.accept_block(c4, n.now());
    REQUIRE(r.ok());
    CHECK(r.tip_changed);
    CHECK(n.state.tip().hash == c4.hash());
    CHECK(n.state.height() == 4);
    CHECK_FALSE(n.state.on_active_chain(main[2].hash()));
    CHECK(obs.disconnected == 1);
    CHECK(obs.connected == 3 + 2);
    CHECK(obs.wrong_txids == 0);  // read back from the store for the reconnect: hashed once, in order
    const auto logged = [&](const std::string& text) {
        return std::any_of(lines.begin(), lines.end(),
                           [&](const auto& l) { return l.find(text) != std::string::npos; });
    };
    CHECK(logged("disconnected block 3 " + main[2].hash().hex()));
    CHECK(logged("connected block 4 " + c4.hash().hex()));
    CHECK(logged("new tip height 4 " + c4.hash().hex()));
    check_against_rebuild(n.state, n.params);
}

TEMPLATE_TEST_CASE("a block accepted with its hashes given connects as one hashed by the chain state", "[chain_state]",
                   MemoryBackend, RocksBackend) {
    Node<TestType> n;
    CountingObserver obs;
    n.state.add_observer(&obs);
    const auto key2 = TestKey::from_seed(2);
    auto first = extend(n, n.genesis, 1, key2.key_hash, 0);
    auto b = n.build_on(first[0].hash(), {pay_coinbase(first[0], n.miner, key2.key_hash, 100)}, 100, 0);
    std::vector<chain::TxId> txids;
    std::vector<chain::WtxId> wtxids;
    for (const auto& tx : b.txs) {
        txids.push_back(tx.txid());
        wtxids.push_back(tx.wtxid());
    }
    const auto r = n.state.accept_block(b, n.now(), chain::LOCAL_PEER, wtxids, txids);
    REQUIRE(r.ok());
    CHECK(r.tip_changed);
    CHECK(n.state.tip().hash == b.hash());
    CHECK(obs.connected == 2);
    CHECK(obs.wrong_txids == 0);
    CHECK(n.state.utxo().get_coin(chain::OutPoint{txids[1], 0}));
    check_against_rebuild(n.state, n.params);
}

TEMPLATE_TEST_CASE("a reorg 50 blocks deep and back keeps the UTXO set equal to a rebuild", "[chain_state]",
                   MemoryBackend, RocksBackend) {
    Node<TestType> n;
    const auto key2 = TestKey::from_seed(2);
    const auto key3 = TestKey::from_seed(3);
    auto base = extend(n, n.genesis, 1, key2.key_hash, 0);
    auto a = extend(n, base[0], 50, key2.key_hash, 0);
    REQUIRE(n.state.height() == 51);
    check_against_rebuild(n.state, n.params);
    const auto a_balance = indexed_balance(n.state, key2.key_hash);

    // 51 blocks on the same fork point, paying key3: the 51st outweighs a.
    std::vector<chain::Block> b;
    chain::Block prev = base[0];
    for (int i = 0; i < 51; ++i) {
        b.push_back(n.build_on(prev.hash(), {pay_coinbase(prev, n.miner, key3.key_hash, 100)}, 100, 1));
        auto r = n.state.accept_block(b.back(), n.now());
        REQUIRE(r.ok());
        CHECK(r.tip_changed == (i == 50));
        prev = b.back();
    }
    CHECK(n.state.tip().hash == b.back().hash());
    CHECK(n.state.height() == 52);
    CHECK(indexed_balance(n.state, key3.key_hash) > 0);
    CHECK(indexed_balance(n.state, key2.key_hash) < a_balance);
    check_against_rebuild(n.state, n.params);

    // Two more on a: back 51 blocks.
    auto back = extend(n, a.back(), 2, key2.key_hash, 0);
    CHECK(n.state.tip().hash == back.back().hash());
    CHECK(indexed_balance(n.state, key3.key_hash) == 0);
    check_against_rebuild(n.state, n.params);
}

TEMPLATE_TEST_CASE("an invalid block mid-branch marks its descendants and keeps the best valid chain", "[chain_state]",
                   MemoryBackend, RocksBackend) {
    Node<TestType> n;
    const auto key2 = TestKey::from_seed(2);
    auto main = extend(n, n.genesis, 5, key2.key_hash, 0);
    std::vector<chain::Block> branch;
    chain::Block prev = n.genesis;
    for (int i = 0; i < 7; ++i) {
        std::vector<chain::Transaction> txs;
        if (i == 2) {  // spends an output that never existed: passes check_block, fails connect
            chain::OwnedCoin ghost{chain::OutPoint{chain::TxId{}, 7},
                                   chain::Coin{chain::TxOut{1000, n.miner.key_hash}, 0, false}};
            txs.push_back(make_spend({ghost}, n.miner, {chain::TxOut{900, key2.key_hash}}));
        }
        branch.push_back(n.child(prev, std::move(txs), i == 2 ? 100 : 0, 2));
        prev = branch.back();
    }
    for (int i = 0; i < 5; ++i) REQUIRE(n.state.accept_block(branch[static_cast<std::size_t>(i)], n.now()).ok());
    auto r = n.state.accept_block(branch[5], n.now());  // outweighs main: the reorg meets the bad block
    CHECK(r.validation.reason == RejectReason::invalid_parent);
    CHECK(n.state.status(branch[2].hash()) == chain::BlockStatus::failed);
    for (std::size_t i = 3; i <= 5; ++i) CHECK(n.state.status(branch[i].hash()) == chain::BlockStatus::failed_parent);
    CHECK(n.state.tip().hash == main.back().hash());
    r = n.state.accept_block(branch[6], n.now());
    CHECK(r.validation.reason == RejectReason::invalid_parent);
    CHECK(n.state.tip().hash == main.back().hash());
    check_against_rebuild(n.state, n.params);
}

TEMPLATE_TEST_CASE("a long branch failing after a committed step returns to its valid prefix", "[chain_state]",
                   MemoryBackend, RocksBackend) {
    Node<TestType> n;
    Node<MemoryBackend> builder;  // same genesis; builds the branch without n seeing it
    const auto key2 = TestKey::from_seed(2);
    extend(n, n.genesis, 10, key2.key_hash, 0);
    auto branch = extend(builder, builder.genesis, 69, key2.key_hash, 5);
    chain::OwnedCoin ghost{chain::OutPoint{chain::TxId{}, 1},
                           chain::Coin{chain::TxOut{50, n.miner.key_hash}, 0, false}};
    branch.push_back(
        builder.child(branch.back(), {make_spend({ghost}, n.miner, {chain::TxOut{40, key2.key_hash}})}, 10, 5));
    for (int i = 0; i < 10; ++i) branch.push_back(builder.child(branch.back(), {}, 0, 5));
    // Everything but the first block arrives first, in reverse: all orphans.
    for (std::size_t i = branch.size(); i-- > 1;) CHECK(n.state.accept_block(branch[i], n.now()).orphan);
    CHECK(n.state.orphan_count() == branch.size() - 1);
    auto r = n.state.accept_block(branch[0], n.now());
    CHECK(r.ok());
    CHECK(r.tip_changed);
    CHECK(n.state.orphan_count() == 0);
    CHECK(n.state.tip().hash == branch[68].hash());
    CHECK(n.state.status(branch[69].hash()) == chain::BlockStatus::failed);
    CHECK(n.state.status(branch.back().hash()) == chain::BlockStatus::failed_parent);
    check_against_rebuild(n.state, n.params);
}

TEMPLATE_TEST_CASE("orphans arriving in reverse order connect when the parent arrives", "[chain_state]", MemoryBackend,
                   RocksBackend) {
    Node<TestType> n;
    Node<MemoryBackend> builder;
    const auto key2 = TestKey::from_seed(2);
    auto blocks = extend(builder, builder.genesis, 12, key2.key_hash, 0);
    for (std::size_t i = blocks.size(); i-- > 1;) {
        auto r = n.state.accept_block(blocks[i], n.now(), 100 + i);  // each from its own peer
        CHECK(r.orphan);
        CHECK(r.validation.reason == RejectReason::unknown_parent);
        CHECK(n.state.is_orphan(blocks[i].hash()));
    }
    CHECK(n.state.accept_block(blocks[5], n.now()).validation.reason == RejectReason::already_orphan);
    CHECK(n.state.height() == 0);
    auto r = n.state.accept_block(blocks[0], n.now());
    CHECK(r.ok());
    CHECK(r.tip_changed);
    // Every orphan is reported once, connected, with the peer that sent it.
    REQUIRE(r.orphans.size() == blocks.size() - 1);
    for (const auto& o : r.orphans) {
        const auto it = std::find_if(blocks.begin(), blocks.end(), [&](const auto& b) { return b.hash() == o.hash; });
        REQUIRE(it != blocks.end());
        CHECK(o.from == 100 + static_cast<std::size_t>(it - blocks.begin()));
        CHECK(o.validation.ok());
    }
    CHECK(n.state.accept_block(blocks[3], n.now()).validation.reason == RejectReason::already_have);
    CHECK(n.state.tip().hash == blocks.back().hash());
    check_against_rebuild(n.state, n.params);
}

TEST_CASE("the orphan pool is bounded and evicts the oldest", "[chain_state]") {
    Node<MemoryBackend> n;
    Node<MemoryBackend> builder;
    std::vector<chain::Block> blocks;
    chain::BlockHash prev = builder.genesis.hash();
    for (std::size_t i = 0; i < chain::MAX_ORPHAN_BLOCKS + 20; ++i) {
        blocks.push_back(builder.build_on(prev));
        REQUIRE(builder.state.accept_block(blocks.back(), builder.now()).ok());
        prev = blocks.back().hash();
    }
    for (std::size_t i = 1; i < blocks.size(); ++i) (void)n.state.accept_block(blocks[i], n.now());
    CHECK(n.state.orphan_count() == chain::MAX_ORPHAN_BLOCKS);
    CHECK_FALSE(n.state.is_orphan(blocks[1].hash()));
    CHECK(n.state.is_orphan(blocks.back().hash()));
}

TEMPLATE_TEST_CASE("double spends within a block and across blocks are refused", "[chain_state]", MemoryBackend,
                   RocksBackend) {
    Node<TestType> n;
    const auto key2 = TestKey::from_seed(2);
    const auto key3 = TestKey::from_seed(3);
    auto b1 = extend(n, n.genesis, 1, key2.key_hash, 0)[0];

    SECTION("within one block") {
        auto bad = n.build_on(
            b1.hash(), {pay_coinbase(b1, n.miner, key2.key_hash, 10), pay_coinbase(b1, n.miner, key3.key_hash, 20)},
            30);
        auto r = n.state.accept_block(bad, n.now());
        CHECK(r.validation.reason == RejectReason::double_spend_in_block);
        CHECK(n.state.status(bad.hash()) == chain::BlockStatus::failed);
    }
    SECTION("across blocks") {
        auto b2 = n.build_on(b1.hash(), {pay_coinbase(b1, n.miner, key2.key_hash, 10)}, 10);
        REQUIRE(n.state.accept_block(b2, n.now()).ok());
        auto b3 = n.build_on(b2.hash(), {pay_coinbase(b1, n.miner, key3.key_hash, 20)}, 20);
        auto r = n.state.accept_block(b3, n.now());
        CHECK(r.validation.reason == RejectReason::missing_input);
        CHECK(n.state.tip().hash == b2.hash());
    }
    CHECK(indexed_balance(n.state, key3.key_hash) == 0);
    check_against_rebuild(n.state, n.params);
}

TEMPLATE_TEST_CASE("reindex rebuilds the same UTXO set and verify finds a planted difference", "[chain_state]",
                   MemoryBackend, RocksBackend) {
    Node<TestType> n;
    const auto key2 = TestKey::from_seed(2);
    auto blocks = extend(n, n.genesis, 8, key2.key_hash, 0);
    // An equal-work sibling of the tip, seen second: reindex must not switch to it.
    auto sibling = n.child(blocks[6], {}, 0, 77);
    REQUIRE(n.state.accept_block(sibling, n.now()).ok());
    const auto before = indexed_balance(n.state, key2.key_hash);
    REQUIRE(n.state.reindex());
    CHECK(n.state.tip().hash == blocks.back().hash());
    CHECK(indexed_balance(n.state, key2.key_hash) == before);
    check_against_rebuild(n.state, n.params);

    chain::StoreBatch plant;
    plant.coins[chain::OutPoint{chain::TxId{}, 3}] = chain::Coin{chain::TxOut{5, key2.key_hash}, 1, false};
    REQUIRE(n.backend.open_store().write(plant));
    auto report = n.state.verify();
    REQUIRE(report.ok());
    CHECK_FALSE(report->ok);
    CHECK(report->first_difference.find(chain::TxId{}.hex()) != std::string::npos);
}

TEMPLATE_TEST_CASE("headers first, then bodies; locator and fork", "[chain_state]", MemoryBackend, RocksBackend) {
    Node<TestType> n;
    Node<MemoryBackend> builder;
    auto blocks = extend(builder, builder.genesis, 15, TestKey::from_seed(2).key_hash, 0);
    for (const auto& b : blocks) REQUIRE(n.state.accept_header(b.header, n.now()).ok());
    CHECK(n.state.contains(blocks.back().hash()));
    CHECK_FALSE(n.state.have_block(blocks.back().hash()));
    CHECK(n.state.height() == 0);
    for (const auto& b : blocks) REQUIRE(n.state.accept_block(b, n.now()).ok());
    CHECK(n.state.tip().hash == blocks.back().hash());
    const auto loc = n.state.locator();
    CHECK(loc.front() == blocks.back().hash());
    CHECK(loc.back() == n.genesis.hash());
    CHECK(n.state.find_fork(builder.state.locator()).height == 15);
    CHECK(n.state.find_fork({chain::BlockHash{}}).height == 0);
    const auto ctx = n.state.next_block_context(n.now());
    CHECK(ctx.prev == blocks.back().hash());
    CHECK(ctx.height == 16);
    CHECK(ctx.bits == n.params.pow_limit_bits);
    CHECK(ctx.time > ctx.median_time_past);
}

TEMPLATE_TEST_CASE("an interrupted reindex resumes on load", "[chain_state]", MemoryBackend, RocksBackend) {
    Node<TestType> n;
    const auto key2 = TestKey::from_seed(2);
    auto blocks = extend(n, n.genesis, 5, key2.key_hash, 0);
    REQUIRE(n.state.utxo().get_coin(chain::OutPoint{blocks.back().txs[0].txid(), 0}).has_value());
    // What reindex's first batch leaves if the process dies right after it.
    auto meta = n.backend.open_store().read_meta();
    REQUIRE(meta.ok());
    chain::StoreBatch reset;
    reset.clear_utxo = true;
    reset.meta = **meta;
    reset.meta->tip = chain::BlockHash{};
    REQUIRE(n.backend.open_store().write(reset));
    const chain::OutPoint last_coinbase{blocks.back().txs[0].txid(), 0};
    CHECK_FALSE(n.backend.open_store().get_coin(last_coinbase).has_value());
    chain::ChainState again(n.params, n.backend.open_store());
    REQUIRE(again.load());
    CHECK(again.tip().hash == blocks.back().hash());
    CHECK(again.utxo().get_coin(last_coinbase).has_value());
    check_against_rebuild(again, n.params);
}

TEST_CASE("load refuses an index whose heights or work disagree with the headers", "[chain_state]") {
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = TestKey::from_seed(41);
    const auto genesis = make_genesis(p, key.key_hash);
    for (int corruption = 0; corruption < 2; ++corruption) {
        chain::MemoryChainStore store;
        {
            chain::ChainState cs(p, store, nullptr);
            REQUIRE(cs.create(genesis));
        }
        auto index = store.read_index();
        REQUIRE(index);
        REQUIRE(index->size() == 1);
        auto record = index->front().second;
        if (corruption == 0) {
            record.height = ~std::uint64_t{0};  // would size the active chain from disk
        } else {
            record.chain_work += chain::Uint256(1);  // would reorder the candidates
        }
        chain::StoreBatch batch;
        batch.index.emplace_back(genesis.hash(), record);
        REQUIRE(store.write(batch));
        chain::ChainState reopened(p, store, nullptr);
        CHECK_FALSE(reopened.load());
    }
}
