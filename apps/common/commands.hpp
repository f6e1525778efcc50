// The node commands, callable in-process (the CLI in cli.cpp and the
// benchmark use the same functions). Each writes its result to `out` and
// throws UserError on a user error, leaving files and the database as they
// were (every write is one atomic step, done last).
#pragma once

#include "chainkit/chain/amount.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/miner.hpp"

#include "node_context.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <stop_token>
#include <string>
#include <vector>

namespace chainkit::apps {

// Seconds since the Unix epoch: the one clock read of the apps.
[[nodiscard]] std::int64_t now_seconds();

// Parses an address of this network; UserError naming the option otherwise.
[[nodiscard]] chain::KeyHash parse_address_arg(const NodeContext& ctx, const std::string& text,
                                               std::string_view option);
// Parses an amount in coins ("3", "0.5"); UserError naming the option otherwise.
[[nodiscard]] chain::Amount parse_amount_arg(const std::string& text, std::string_view option);

void cmd_createblockchain(NodeContext& ctx, const std::string& address, const std::string& export_path,
                          std::ostream& out);
void cmd_createwallet(NodeContext& ctx, std::ostream& out);
void cmd_listaddresses(NodeContext& ctx, std::ostream& out);
void cmd_getbalance(NodeContext& ctx, const std::string& address, std::ostream& out);

struct SendArgs {
    std::string from;
    std::string to;
    std::string amount;
    std::optional<std::string> fee;         // coins; default fee_rate x size
    std::optional<chain::Amount> fee_rate;  // base units per byte; default params.min_fee_rate
    bool mine = false;
    // With no node running on this data directory: peers to hand the
    // payment to (multiaddrs) through a short-lived node.
    std::vector<std::string> connect;
};
// Builds and signs from the wallet file. --mine: mines it here (no node may
// run then, or through the running node's generatetoaddress on regtest).
// Otherwise hands it to the network, through the running node or the
// --connect peers, and says "Sent" only once a remote peer took it;
// UserError in one line otherwise (send_commands.hpp).
void cmd_send(NodeContext& ctx, const SendArgs& args, std::ostream& out);

struct PrintChainArgs {
    bool json = false;
    std::optional<std::uint64_t> from;   // height; default the tip
    std::optional<std::uint64_t> count;  // default down to genesis
    bool color = false;
};
void cmd_printchain(NodeContext& ctx, const PrintChainArgs& args, std::ostream& out);
void cmd_reindexutxo(NodeContext& ctx, std::ostream& out);
void cmd_verify(NodeContext& ctx, std::ostream& out);
// Mines `blocks` empty blocks on the tip paying `address`, on `threads`
// search threads (0: one per hardware thread).
void cmd_mine(NodeContext& ctx, const std::string& address, std::uint64_t blocks, std::ostream& out,
              unsigned threads = 0);

// Environment variable naming the miner kernel to force (auto, scalar, avx2,
// shani1, shani2, shani4); unset or empty: the fastest this CPU runs.
inline constexpr const char* MINER_KERNEL_ENV = "CHAINKIT_MINER_KERNEL";
// The miner options for `threads` and the kernel CHAINKIT_MINER_KERNEL names;
// UserError on an unknown name or a kernel this CPU cannot run.
[[nodiscard]] chain::MinerOptions miner_options(unsigned threads);

// Mines the block chain::make_block_template builds from `pool` on `ctx`
// (the one block assembler: coinbase paying subsidy + fees to `to`, then
// the pool's transactions by fee rate, parents first). UserError (exit 130)
// if `stop` is requested first.
[[nodiscard]] chain::Block mine_template(const chain::Mempool& pool, const chain::BlockContext& ctx,
                                         const chain::KeyHash& to, const chain::ConsensusParams& p,
                                         std::stop_token stop, unsigned threads = 0);

// Mines a block on the tip holding `txs` with its coinbase paying `to`, and
// connects it. The transactions enter a mempool of their own first (in
// order, so a child may follow its parent): one it refuses, or one that does
// not fit the block, is a UserError before any work is spent. Its timestamp
// is max(`when` (default: the clock), median time past + 1). Returns its hash.
// Mined on `threads` search threads (0: one per hardware thread).
chain::BlockHash mine_and_connect(NodeContext& ctx, const std::vector<chain::Transaction>& txs,
                                  const chain::KeyHash& to, std::optional<std::int64_t> when = std::nullopt,
                                  unsigned threads = 0);

}  // namespace chainkit::apps
