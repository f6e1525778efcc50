// Block templates: the next block a miner works on, filled from the mempool.
//
// Selection is by individual fee rate with parents forced before children:
// a transaction becomes a candidate once every pool parent is in the block,
// and candidates are taken highest fee rate first (ties: oldest first) while
// they fit. A high-fee child does not lift a low-fee parent (no ancestor
// package scoring); docs/protocol.md section 10 (Block templates) says why.
//
// Thread-safety: reads the mempool, so runs on the mempool's thread; the
// returned block is a value the miner may take to its own threads.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/keys.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/params.hpp"

#include <cstddef>
#include <cstdint>

namespace chainkit::chain {

struct TemplateOptions {
    KeyHash payout;                 // the coinbase pays subsidy + fees here
    std::size_t max_size = 0;       // whole serialized block; 0 = params.max_block_size
    std::uint64_t extra_nonce = 0;  // varies the coinbase data
};

struct BlockTemplate {
    Block block;           // merkle root set; nonce 0: mine it, then submit
    Amount fees = 0;       // sum of the included transactions' fees
    std::size_t size = 0;  // serialized size of `block`
};

// Coinbase (make_coinbase at ctx.height for subsidy + fees) first, then pool
// transactions as above within the size limit (header and coinbase counted).
// ctx is ChainState::next_block_context(now); header time is
// max(ctx.time, ctx.median_time_past + 1). If the pool has not seen the
// tip the context builds on (pool tip_height + 1 != ctx.height), its
// validation does not hold for this block and the template is coinbase only.
[[nodiscard]] BlockTemplate make_block_template(const Mempool& pool, const BlockContext& ctx,
                                                const TemplateOptions& options, const ConsensusParams& params);

}  // namespace chainkit::chain
