// createwallet, listaddresses, send.
#include "chainkit/chain/block.hpp"
#include "chainkit/wallet/address.hpp"
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/payment.hpp"

#include "commands.hpp"
#include "errors.hpp"
#include "node_commands.hpp"
#include "send_commands.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace chainkit::apps {

void cmd_createwallet(NodeContext& ctx, std::ostream& out) {
    auto& w = ctx.open_wallet(/*create_if_missing=*/true);
    const auto address = wallet::encode_address(w.new_key().key_hash(), ctx.config.params);
    ctx.save_wallet();
    fmt::print(out, "Your new address: {}\n", address);
}

void cmd_listaddresses(NodeContext& ctx, std::ostream& out) {
    const auto& w = ctx.open_wallet(/*create_if_missing=*/false);
    for (const auto& a : w.addresses()) fmt::print(out, "{}\n", a);
}

namespace {

wallet::PaymentRequest make_request(const NodeContext& ctx, const SendArgs& args, const chain::KeyHash& to) {
    wallet::PaymentRequest req;
    req.to = to;
    req.amount = parse_amount_arg(args.amount, "--amount");
    if (req.amount == 0) throw UserError("--amount must be above zero");
    if (args.fee) req.fee = parse_amount_arg(*args.fee, "--fee");
    req.fee_rate = args.fee_rate.value_or(ctx.config.params.min_fee_rate);
    return req;
}

}  // namespace

wallet::Payment build_send(const NodeContext& ctx, const wallet::Wallet& w, const wallet::KeyPair& key,
                           wallet::PaymentRequest request, const std::vector<chain::OwnedCoin>& coins,
                           std::uint64_t spend_height) {
    const auto from = key.key_hash();
    // The payment must fit a block beside the header, the transaction count
    // and the coinbase, or it could never be mined (and its coins would stay
    // held by a pending transaction).
    request.max_tx_size =
        ctx.config.params.max_block_size - (chain::HEADER_SIZE + chain::compact_size_len(chain::BLOCK_MAX_TXS) +
                                            chain::make_coinbase(spend_height, 0, from).serialized_size());
    const auto spendable = wallet::spendable_coins(coins, w.pending_spends(), spend_height, ctx.config.params);
    auto built = wallet::build_payment(request, spendable, key);
    if (!built) {
        // Say why confirmed coins did not count (maturity on main, or own pending spends).
        chain::Amount held = 0;
        for (const auto& c : coins) held += c.coin.out.value;
        for (const auto& c : spendable) held -= c.coin.out.value;
        if (built.error().code == wallet::WalletErrc::insufficient_funds && held > 0)
            throw UserError(fmt::format("{}; {} more is immature coinbase or spent by pending transactions",
                                        built.error().message, chain::format_coins(held)));
        throw UserError(built.error().message);
    }
    return std::move(built).value();
}

void report_sent(const SendArgs& args, chain::Amount amount, chain::Amount fee, const chain::TxId& txid,
                 std::size_t takers, std::size_t peers, std::ostream& out) {
    if (takers == 0)
        throw UserError(
            fmt::format("transaction {} was accepted by the local node but no peer took it within {} s: "
                        "{} peer{} connected; it stays pending in the wallet",
                        txid.hex(), SEND_WAIT.count() / 1000, peers, peers == 1 ? "" : "s"));
    fmt::print(out, "Sent {} from {} to {} (fee {}) in transaction {}: taken by {} peer{}\n",
               chain::format_coins(amount), args.from, args.to, chain::format_coins(fee), txid.hex(), takers,
               takers == 1 ? "" : "s");
}

void cmd_send(NodeContext& ctx, const SendArgs& args, std::ostream& out) {
    const auto from = parse_address_arg(ctx, args.from, "--from");
    const auto to = parse_address_arg(ctx, args.to, "--to");
    const auto request = make_request(ctx, args, to);
    auto& w = ctx.open_wallet(/*create_if_missing=*/false);
    const wallet::KeyPair* key = w.find(from);
    if (key == nullptr)
        throw UserError(
            fmt::format("--from '{}' is not an address of wallet {}", args.from, ctx.config.wallet_path.string()));
    if (auto node = running_node(ctx)) return send_via_node(*node, ctx, args, request, *key, out);
    if (!args.mine && args.connect.empty())
        throw UserError(
            fmt::format("no node runs on {}: start one ('startnode') or pass --connect MULTIADDR to hand "
                        "the payment to a peer (or --mine to mine it here)",
                        ctx.config.data_dir.string()));
    // Handing the payment to peers runs a short-lived node on this chain: it
    // holds the lock a node holds.
    if (!args.mine && !ctx.node_lock && std::filesystem::exists(ctx.config.data_dir))
        ctx.node_lock = std::make_unique<NodeLock>(ctx.config.data_dir);
    auto& chain = ctx.open_chain(args.mine || !args.connect.empty() ? ChainAccess::read_write : ChainAccess::read_only);
    const bool pruned = w.prune_pending(chain.utxo()) > 0;
    const auto coins = value_or_throw(chain.coins_for(from));
    auto payment = build_send(ctx, w, *key, request, coins, chain.height() + 1);
    const auto txid = payment.tx.txid();

    if (args.mine) {
        // As the original: the sender mines the block, so its coinbase (subsidy + fee) pays the sender.
        const auto block = mine_and_connect(ctx, {payment.tx}, from);
        if (pruned) ctx.save_wallet();
        fmt::print(out, "Success! Sent {} from {} to {} (fee {}) in transaction {}, mined in block {} at height {}\n",
                   chain::format_coins(request.amount), args.from, args.to, chain::format_coins(payment.fee),
                   txid.hex(), block.hex(), chain.height());
        return;
    }
    const auto handed = hand_to_peers(ctx, args.connect, payment.tx, SEND_WAIT);
    if (!handed.accepted) throw UserError(fmt::format("the payment was refused: {}", handed.refusal));
    // Pending from here on, whatever the peers did: its inputs are not spent twice.
    w.add_pending(payment.tx);
    ctx.save_wallet();
    report_sent(args, request.amount, payment.fee, txid, handed.takers, handed.peers, out);
}

}  // namespace chainkit::apps
