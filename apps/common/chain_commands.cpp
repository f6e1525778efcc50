// createblockchain, getbalance, reindexutxo, verify, mine.
#include "chainkit/chain/block_template.hpp"
#include "chainkit/chain/miner.hpp"
#include "chainkit/wallet/address.hpp"

#include "commands.hpp"
#include "errors.hpp"
#include "genesis_file.hpp"
#include "node_commands.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

namespace chainkit::apps {

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

chain::KeyHash parse_address_arg(const NodeContext& ctx, const std::string& text, std::string_view option) {
    auto h = wallet::parse_address(text, ctx.config.params);
    if (!h) throw UserError(fmt::format("{} '{}': {}", option, text, h.error().message));
    return *h;
}

chain::Amount parse_amount_arg(const std::string& text, std::string_view option) {
    const auto v = chain::parse_coins(text);
    if (!v)
        throw UserError(
            fmt::format("{} '{}' is not an amount in coins (digits, at most 8 decimals, e.g. 0.5)", option, text));
    return *v;
}

void cmd_createblockchain(NodeContext& ctx, const std::string& address, const std::string& export_path,
                          std::ostream& out) {
    const auto to = parse_address_arg(ctx, address, "--address");
    if (std::filesystem::exists(ctx.config.data_dir))
        throw UserError(fmt::format("{} already exists: remove it or choose another --data-dir / --node-id",
                                    ctx.config.data_dir.string()));
    const auto genesis = mine_genesis(ctx.config.params, to, now_seconds(), ctx.stop.get_token());
    // The file first: if it cannot be written, no database is left behind.
    write_genesis_file(export_path, genesis, ctx.config.params);
    ctx.create_chain(genesis);
    fmt::print(out, "Done! Genesis block {} pays {} to {}\nGenesis exported to {}\n", genesis.hash().hex(),
               chain::format_coins(genesis.txs[0].outputs[0].value), address, export_path);
}

namespace {

// What this node's own unconfirmed transactions (the wallet's pending list;
// there is no mempool without a network) change in `key`'s balance. Zero when
// the wallet cannot be read without asking (absent, or encrypted with no
// passphrase given): the confirmed balance needs no wallet.
chain::Amount pending_delta(NodeContext& ctx, const chain::KeyHash& key, const std::vector<chain::OwnedCoin>& coins) {
    auto w = wallet::Wallet::load(ctx.config.wallet_path, ctx.config.params, ctx.config.passphrase);
    if (!w) return 0;
    // Those a node has mined (or conflicted) meanwhile are no longer pending
    // (pruned in this copy only: the wallet file is send's to change).
    (void)w->prune_pending(ctx.chain->utxo());
    std::map<chain::OutPoint, chain::Amount> own;
    for (const auto& c : coins) own.emplace(c.outpoint, c.coin.out.value);
    chain::Amount delta = 0;
    for (const auto& tx : w->pending()) {
        for (const auto& in : tx.inputs)
            if (auto it = own.find(in.prevout); it != own.end()) delta -= it->second;
        for (const auto& o : tx.outputs)
            if (o.key_hash == key) delta += o.value;
    }
    return delta;
}

}  // namespace

void cmd_getbalance(NodeContext& ctx, const std::string& address, std::ostream& out) {
    const auto key = parse_address_arg(ctx, address, "--address");
    // Through a running node: its mempool gives the unconfirmed part.
    if (auto node = running_node(ctx)) return getbalance_via_node(*node, address, out);
    auto& chain = ctx.open_chain(ChainAccess::read_only);
    const auto coins = value_or_throw(chain.coins_for(key));
    chain::Amount balance = 0;
    for (const auto& c : coins) balance += c.coin.out.value;
    print_balance(address, balance, pending_delta(ctx, key, coins), out);
}

void cmd_reindexutxo(NodeContext& ctx, std::ostream& out) {
    auto& chain = ctx.open_chain(ChainAccess::read_write);
    check_or_throw(chain.reindex());
    std::set<chain::TxId> txs;
    std::size_t outputs = 0;
    check_or_throw(ctx.db->for_each_coin([&](const chain::OutPoint& o, const chain::Coin&) {
        txs.insert(o.txid);
        ++outputs;
        return true;
    }));
    fmt::print(out, "Done! There are {} transactions ({} outputs) in the UTXO set.\n", txs.size(), outputs);
}

void cmd_verify(NodeContext& ctx, std::ostream& out) {
    if (auto node = running_node(ctx)) return verify_via_node(*node, out);
    auto& chain = ctx.open_chain(ChainAccess::read_only);
    const auto report = value_or_throw(chain.verify());
    if (!report.ok) throw UserError(fmt::format("verify failed: {}", report.first_difference));
    fmt::print(out, "ok: chain of height {} verified, {} unspent outputs match the blocks\n", chain.height(),
               report.coins_checked);
}

chain::MinerOptions miner_options(unsigned threads) {
    chain::MinerOptions opts;
    opts.threads = threads;
    const char* env = std::getenv(MINER_KERNEL_ENV);
    if (env == nullptr || *env == '\0') return opts;
    const auto kernel = chain::parse_miner_kernel(env);
    if (!kernel)
        throw UserError(fmt::format("{} '{}' is not a miner kernel (auto, scalar, avx2, shani1, shani2, shani4)",
                                    MINER_KERNEL_ENV, env));
    if (!chain::miner_kernel_available(*kernel))
        throw UserError(
            fmt::format("{} '{}': this CPU lacks the instructions that kernel needs", MINER_KERNEL_ENV, env));
    opts.kernel = *kernel;
    return opts;
}

chain::Block mine_template(const chain::Mempool& pool, const chain::BlockContext& ctx, const chain::KeyHash& to,
                           const chain::ConsensusParams& p, std::stop_token stop, unsigned threads) {
    const auto opts = miner_options(threads);
    auto t = chain::make_block_template(pool, ctx, chain::TemplateOptions{to}, p);
    const auto mined = chain::mine_block(t.block, opts, std::move(stop));
    spdlog::info("mining at height {}: {} nonces in {:.3f} s, {:.2f} M nonces/s, kernel {}, threads {}", ctx.height,
                 mined.tries, mined.seconds, mined.nonces_per_second() / 1e6, chain::to_string(mined.kernel),
                 mined.threads);
    if (!mined.header) throw UserError(fmt::format("interrupted while mining the block at height {}", ctx.height), 130);
    return std::move(t.block);
}

chain::BlockHash mine_and_connect(NodeContext& ctx, const std::vector<chain::Transaction>& txs,
                                  const chain::KeyHash& to, std::optional<std::int64_t> when, unsigned threads) {
    const auto& p = ctx.config.params;
    // The node's own policy applies to its own block: what the pool refuses
    // is refused here, before mining, with the pool's reason.
    chain::Mempool pool(p, ctx.chain->utxo(), ctx.chain->height());
    for (const auto& tx : txs) {
        const auto r = pool.accept(tx);
        if (!r.ok())
            throw UserError(fmt::format("transaction {} cannot be mined: {} ({})", tx.txid().hex(),
                                        r.validation.message, chain::to_string(r.validation.reason)));
    }
    // `when` only shapes the block's timestamp (never below median time past + 1);
    // the future-drift rule always sees the real clock.
    const std::int64_t now = now_seconds();
    const auto next = ctx.chain->next_block_context(when.value_or(now));
    const auto b = mine_template(pool, next, to, p, ctx.stop.get_token(), threads);
    if (b.txs.size() != txs.size() + 1)
        throw UserError(
            fmt::format("{} of {} transactions fit the block at height {}", b.txs.size() - 1, txs.size(), next.height));
    const auto r = ctx.chain->accept_block(b, now);
    if (!r.ok())
        throw UserError(fmt::format("the mined block was refused: {} ({})", r.validation.message,
                                    chain::to_string(r.validation.reason)));
    return b.hash();
}

void cmd_mine(NodeContext& ctx, const std::string& address, std::uint64_t blocks, std::ostream& out, unsigned threads) {
    const auto to = parse_address_arg(ctx, address, "--address");
    (void)miner_options(threads);  // a bad CHAINKIT_MINER_KERNEL fails before the chain opens
    // The running node mines them on its tip and relays them (regtest's generatetoaddress).
    if (auto node = running_node(ctx)) return mine_via_node(*node, address, blocks, out);
    ctx.open_chain(ChainAccess::read_write);
    for (std::uint64_t i = 0; i < blocks; ++i) {
        const auto hash = mine_and_connect(ctx, {}, to, std::nullopt, threads);
        fmt::print(out, "mined block {} at height {}\n", hash.hex(), ctx.chain->height());
    }
}

}  // namespace chainkit::apps
