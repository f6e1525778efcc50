// createwallet, listaddresses, send.
#include "chainkit/chain/block.hpp"
#include "chainkit/wallet/address.hpp"
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/payment.hpp"

#include "commands.hpp"
#include "errors.hpp"

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

void cmd_send(NodeContext& ctx, const SendArgs& args, std::ostream& out) {
    const auto from = parse_address_arg(ctx, args.from, "--from");
    const auto to = parse_address_arg(ctx, args.to, "--to");
    auto request = make_request(ctx, args, to);
    auto& w = ctx.open_wallet(/*create_if_missing=*/false);
    const wallet::KeyPair* key = w.find(from);
    if (key == nullptr)
        throw UserError(
            fmt::format("--from '{}' is not an address of wallet {}", args.from, ctx.config.wallet_path.string()));

    auto& chain = ctx.open_chain(args.mine ? ChainAccess::read_write : ChainAccess::read_only);
    const bool pruned = w.prune_pending(chain.utxo()) > 0;
    const auto spend_height = chain.height() + 1;
    // The payment must fit a block beside the header, the transaction count
    // and the coinbase, or it could never be mined (and its coins would stay
    // held by a pending transaction).
    request.max_tx_size =
        ctx.config.params.max_block_size - (chain::HEADER_SIZE + chain::compact_size_len(chain::BLOCK_MAX_TXS) +
                                            chain::make_coinbase(spend_height, 0, from).serialized_size());
    const auto coins = value_or_throw(chain.coins_for(from));
    const auto spendable = wallet::spendable_coins(coins, w.pending_spends(), spend_height, ctx.config.params);
    auto built = wallet::build_payment(request, spendable, *key);
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
    auto payment = std::move(built).value();
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
    // No network yet: the transaction is kept as pending so its inputs are
    // not spent twice; the network layer will broadcast it.
    w.add_pending(payment.tx);
    ctx.save_wallet();
    fmt::print(
        out,
        "Created transaction {} sending {} to {} (fee {}); not broadcast: this node has no network yet, use --mine\n",
        txid.hex(), chain::format_coins(request.amount), args.to, chain::format_coins(payment.fee));
}

}  // namespace chainkit::apps
