// Randomized runs of the mempool against an in-memory chain: spends of
// confirmed and unconfirmed coins (and deliberate double spends), blocks
// mined from templates, blocks from elsewhere double-spending pool
// transactions, and reorgs. After every step the pool must equal what a
// fresh pool would accept, and its template must connect.
#include "chainkit/chain/block_template.hpp"
#include "chainkit/chain/mempool.hpp"

#include "support/mempool_fixture.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace chainkit::chain;
using chainkit::test::MemoryChain;
using chainkit::test::TestKey;

namespace {

struct Run {
    ConsensusParams params = chainkit::test::mempool_params();
    MemoryChain chain{params};
    TestKey key = TestKey::from_seed(7);
    Mempool pool{chain.params, chain.utxo, 0, MempoolOptions{2'500}};
    std::mt19937 rng;
    // How often each path ran, so the test proves it exercised them.
    std::size_t accepted = 0, conflicts = 0, full = 0, evictions = 0, rivals = 0, reorgs = 0, returned = 0;

    explicit Run(unsigned seed) : rng(seed) {
        for (int i = 0; i < 12; ++i) (void)chain.fund(key, 5 * COIN);
    }

    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

    // Coins of `key`: confirmed ones the pool does not spend, and pool outputs.
    std::vector<OwnedCoin> spendable(bool include_pool_spent) {
        std::vector<OwnedCoin> out;
        for (const auto& [o, c] : chain.utxo.coins()) {
            if (c.out.key_hash == key.key_hash && (include_pool_spent || !pool.spender_of(o))) out.push_back({o, c});
        }
        for (const auto& m : pool.outputs_to(key.key_hash)) out.push_back({m.outpoint, Coin{m.out, 0, false}});
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.outpoint < b.outpoint; });
        return out;
    }

    void offer() {
        const bool conflict = pick(5) == 0;
        auto coins = spendable(conflict);
        if (coins.empty()) return;
        std::vector<OwnedCoin> in{coins[pick(coins.size())]};
        if (coins.size() > 1 && pick(3) == 0) {
            const auto second = coins[pick(coins.size())];
            if (second.outpoint != in[0].outpoint) in.push_back(second);
        }
        Amount total = 0;
        for (const auto& c : in) total += c.coin.out.value;
        const Amount fee = static_cast<Amount>(400 + pick(5'000));
        if (total <= 2 * fee) return;
        auto tx = chainkit::test::make_spend(
            in, key, {TxOut{total / 2, key.key_hash}, TxOut{total - total / 2 - fee, key.key_hash}});
        const auto size_before = pool.size();
        const auto r = pool.accept(tx).validation;
        const bool expected =
            r.ok() || r.reason == RejectReason::mempool_conflict || r.reason == RejectReason::mempool_full;
        INFO(r.message);
        REQUIRE(expected);
        if (!conflict) REQUIRE(r.reason != RejectReason::mempool_conflict);
        accepted += r.ok();
        evictions += r.ok() && pool.size() <= size_before;
        conflicts += r.reason == RejectReason::mempool_conflict;
        full += r.reason == RejectReason::mempool_full;
    }

    void mine() {
        auto t = make_block_template(pool, chain.next_context(), TemplateOptions{key.key_hash, 0, rng()}, params);
        chainkit::test::mine_header(t.block.header, params);
        chain.connect(t.block, pool);
    }

    // A block from elsewhere that double-spends one pool transaction's input.
    void rival_block() {
        const auto entries = pool.entries();
        if (entries.empty()) return;
        const OutPoint prev = entries[pick(entries.size())]->tx.inputs[0].prevout;  // a copy: the entry goes
        const auto coin = chain.utxo.get_coin(prev);
        if (!coin) return;  // spends a pool parent: nothing confirmed to race for
        auto tx = chainkit::test::make_spend({{prev, *coin}}, key, {TxOut{coin->out.value - 1'000, key.key_hash}});
        const auto spender = *pool.spender_of(prev);
        chain.connect(chain.build({tx}, key.key_hash, 1'000, rng()), pool);
        REQUIRE_FALSE(pool.contains(spender));
        REQUIRE(pool.spender_of(prev) == nullptr);
        ++rivals;
    }

    void reorg() {
        const std::size_t depth = std::min<std::size_t>(chain.blocks.size(), 1 + pick(2));
        if (depth == 0) return;
        // The branch forks below the last `depth` blocks and is one longer.
        auto ctx = chain.next_context();
        ctx.height -= depth;
        ctx.prev = chain.blocks.size() > depth ? chain.blocks[chain.blocks.size() - depth - 1].hash() : BlockHash{};
        std::vector<Block> branch;
        for (std::size_t i = 0; i <= depth; ++i) {
            branch.push_back(chainkit::test::make_block(ctx, key.key_hash, {}, params, 0, rng()));
            ctx.prev = branch.back().hash();
            ++ctx.height;
        }
        std::vector<TxId> disconnected;
        for (std::size_t i = chain.blocks.size() - depth; i < chain.blocks.size(); ++i)
            for (std::size_t t = 1; t < chain.blocks[i].txs.size(); ++t)
                disconnected.push_back(chain.blocks[i].txs[t].txid());
        chain.reorg(depth, branch, pool);
        ++reorgs;
        // The branch is empty, so every disconnected transaction is valid again
        // unless it spent a coinbase the reorg removed or the pool is full.
        for (const auto& id : disconnected) returned += pool.contains(id);
    }

    void check_invariants() {
        REQUIRE(pool.tip_height() == chain.tip_height);
        REQUIRE(pool.bytes() <= pool.max_bytes());
        std::size_t bytes = 0;
        Mempool fresh(params, chain.utxo, chain.tip_height, MempoolOptions{1'000'000});
        for (const auto* e : pool.entries()) {
            bytes += e->size;
            for (const auto& in : e->tx.inputs) REQUIRE(*pool.spender_of(in.prevout) == e->txid);
            const auto r = fresh.accept(e->tx).validation;
            INFO(r.message);
            REQUIRE(r.ok());
        }
        REQUIRE(bytes == pool.bytes());
        auto t = make_block_template(pool, chain.next_context(), TemplateOptions{key.key_hash}, params);
        chainkit::test::mine_header(t.block.header, params);
        REQUIRE(check_block(t.block, params).ok());
        UtxoCache cache(chain.utxo);
        BlockUndo undo;
        const auto r = connect_block(t.block, chain.tip_height + 1, params, cache, undo);
        INFO(r.message);
        REQUIRE(r.ok());
    }
};

}  // namespace

TEST_CASE("randomized pool operations keep the pool valid", "[mempool][random]") {
    std::size_t accepted = 0, conflicts = 0, full = 0, evictions = 0, rivals = 0, reorgs = 0, returned = 0;
    for (unsigned seed = 1; seed <= 4; ++seed) {
        Run run(seed);
        INFO("seed " << seed);
        for (int step = 0; step < 120; ++step) {
            const auto op = run.pick(10);
            if (op < 6) {
                run.offer();
            } else if (op < 8) {
                run.mine();
            } else if (op < 9) {
                run.rival_block();
            } else {
                run.reorg();
            }
            run.check_invariants();
        }
        accepted += run.accepted;
        conflicts += run.conflicts;
        full += run.full;
        evictions += run.evictions;
        rivals += run.rivals;
        reorgs += run.reorgs;
        returned += run.returned;
    }
    CHECK(accepted > 100);
    CHECK(conflicts > 0);
    CHECK(full > 0);
    CHECK(evictions > 0);
    CHECK(rivals > 0);
    CHECK(reorgs > 0);
    CHECK(returned > 0);
}
