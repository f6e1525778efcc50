#include "chainkit/chain/block_template.hpp"

#include "chainkit/chain/merkle.hpp"

#include <algorithm>
#include <queue>
#include <unordered_map>

namespace chainkit::chain {
namespace {

// Candidates ordered best first: highest fee rate, then oldest.
struct Candidate {
    const MempoolEntry* entry;
    std::size_t index;  // into the arrival-ordered list
};
struct WorseThan {
    bool operator()(const Candidate& a, const Candidate& b) const noexcept {
        const FeeRate ra = a.entry->fee_rate(), rb = b.entry->fee_rate();
        if (ra < rb) return true;
        if (rb < ra) return false;
        return a.entry->sequence > b.entry->sequence;
    }
};

// Pool transactions chosen for a block with `room` bytes, parents first.
std::vector<const MempoolEntry*> select(const Mempool& pool, std::size_t room, std::size_t max_txs) {
    const auto all = pool.entries();
    std::unordered_map<TxId, std::size_t, HashHasher> index;
    for (std::size_t i = 0; i < all.size(); ++i) index.emplace(all[i]->txid, i);
    std::vector<std::size_t> waiting(all.size(), 0);  // pool parents not yet in the block
    std::vector<std::vector<std::size_t>> children(all.size());
    std::priority_queue<Candidate, std::vector<Candidate>, WorseThan> ready;
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (const auto& p : pool.parents_in_pool(*all[i])) {
            children[index.at(p)].push_back(i);
            ++waiting[i];
        }
        if (waiting[i] == 0) ready.push(Candidate{all[i], i});
    }
    std::vector<const MempoolEntry*> chosen;
    std::size_t used = 0;
    Amount fees = 0;
    while (!ready.empty() && chosen.size() < max_txs) {
        const Candidate c = ready.top();
        ready.pop();
        // The tx count prefix grows with the count: charge its growth too.
        const std::size_t prefix_growth = compact_size_len(chosen.size() + 2) - compact_size_len(chosen.size() + 1);
        const std::size_t need = c.entry->size + prefix_growth;
        // A skipped transaction's descendants never become ready: they cannot
        // be in a block without it.
        if (used + need > room || !money_range(fees + c.entry->fee)) continue;
        used += need;
        fees += c.entry->fee;
        chosen.push_back(c.entry);
        for (auto child : children[c.index]) {
            if (--waiting[child] == 0) ready.push(Candidate{all[child], child});
        }
    }
    return chosen;
}

}  // namespace

BlockTemplate make_block_template(const Mempool& pool, const BlockContext& ctx, const TemplateOptions& options,
                                  const ConsensusParams& params) {
    const std::size_t max_size =
        options.max_size == 0 ? params.max_block_size : std::min(options.max_size, params.max_block_size);
    BlockTemplate t;
    Block& b = t.block;
    b.header.version = 1;
    b.header.prev = ctx.prev;
    b.header.bits = ctx.bits;
    b.header.time = std::max(ctx.time, ctx.median_time_past + 1);
    // The coinbase's size does not depend on its value: measure it first.
    const std::size_t coinbase_size =
        make_coinbase(ctx.height, 0, options.payout, options.extra_nonce).serialized_size();
    const std::size_t fixed = HEADER_SIZE + compact_size_len(1) + coinbase_size;
    std::vector<const MempoolEntry*> chosen;
    if (pool.tip_height() + 1 == ctx.height && fixed <= max_size)
        chosen = select(pool, max_size - fixed, BLOCK_MAX_TXS - 1);
    for (const auto* e : chosen) t.fees += e->fee;
    b.txs.reserve(chosen.size() + 1);
    b.txs.push_back(
        make_coinbase(ctx.height, block_subsidy(ctx.height, params) + t.fees, options.payout, options.extra_nonce));
    for (const auto* e : chosen) b.txs.push_back(e->tx);
    b.header.merkle_root = block_merkle_root(b);
    t.size = b.serialized_size();
    return t;
}

}  // namespace chainkit::chain
