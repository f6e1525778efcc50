#include "chainkit/wallet/payment.hpp"

#include "chainkit/wallet/errors.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chainkit::wallet {
namespace {

using chain::Amount;

Error fail(WalletErrc e, std::string message) {
    return Error{make_error_code(e), std::move(message)};
}

// Size of the signed transaction with `n_inputs` inputs and `n_outputs`
// outputs: signatures are fixed-size, so the unsigned shape gives it exactly.
std::size_t tx_size(std::size_t n_inputs, std::size_t n_outputs) {
    chain::Transaction t;
    t.inputs.resize(n_inputs);
    t.outputs.resize(n_outputs);
    return t.serialized_size();
}

// The most inputs a two-output transaction may have within r.max_tx_size.
// Each input adds TXIN_SIZE bytes, and the input count's compact size adds
// at most 4 more below TX_MAX_INPUTS: one size computation, not a search.
std::size_t max_inputs(const PaymentRequest& r) {
    if (r.max_tx_size == 0) return chain::TX_MAX_INPUTS;
    const std::size_t one_input = tx_size(1, 2) + 4;
    if (r.max_tx_size < one_input) return 0;
    return std::min(chain::TX_MAX_INPUTS, (r.max_tx_size - one_input) / chain::TXIN_SIZE + 1);
}

Amount fee_for(const PaymentRequest& r, std::size_t signed_size) {
    if (r.fee) return *r.fee;
    return r.fee_rate * static_cast<Amount>(signed_size);
}

}  // namespace

std::vector<OwnedCoin> spendable_coins(std::span<const OwnedCoin> coins,
                                       const std::set<chain::OutPoint>& pending_spends, std::uint64_t spend_height,
                                       const chain::ConsensusParams& p) {
    std::vector<OwnedCoin> out;
    for (const auto& c : coins) {
        if (pending_spends.contains(c.outpoint)) continue;
        // Same rule as check_tx_inputs: spendable at height + maturity.
        if (c.coin.coinbase && spend_height < c.coin.height + p.coinbase_maturity) continue;
        out.push_back(c);
    }
    return out;
}

Result<Payment> build_payment(const PaymentRequest& request, std::span<const OwnedCoin> spendable,
                              const KeyPair& sender) {
    if (request.amount <= 0 || !chain::money_range(request.amount))
        return fail(WalletErrc::invalid_amount, "amount must be above zero and within the money supply");
    if (request.fee && !chain::money_range(*request.fee)) return fail(WalletErrc::invalid_amount, "fee out of range");
    if (request.fee_rate < 0 || request.fee_rate > chain::COIN)
        return fail(WalletErrc::invalid_amount, "fee rate out of range");

    std::vector<OwnedCoin> sorted(spendable.begin(), spendable.end());
    std::sort(sorted.begin(), sorted.end(), [](const OwnedCoin& a, const OwnedCoin& b) {
        if (a.coin.out.value != b.coin.out.value) return a.coin.out.value > b.coin.out.value;
        return a.outpoint < b.outpoint;
    });
    Amount available = 0;
    for (const auto& c : sorted) available += c.coin.out.value;  // each in range; the set is far below overflow

    Payment pay;
    Amount selected = 0;
    std::size_t n = 0;
    Amount needed = request.amount + fee_for(request, tx_size(1, 2));
    const std::size_t most_inputs = max_inputs(request);
    // The unsigned shape grows one input per selected coin, so each fee is
    // priced without rebuilding n inputs (selection is linear, not quadratic).
    chain::Transaction shape;
    shape.outputs.resize(2);
    while (n < sorted.size() && n < most_inputs) {
        selected += sorted[n].coin.out.value;
        ++n;
        shape.inputs.emplace_back();
        needed = request.amount + fee_for(request, shape.serialized_size());
        if (selected >= needed) break;
    }
    if (selected < needed && n < sorted.size() && available >= needed)
        return fail(
            WalletErrc::too_many_inputs,
            fmt::format("the payment would spend more than {} coins, the most one transaction may (available {} "
                        "in {} coins): send a smaller amount",
                        most_inputs, chain::format_coins(available), sorted.size()));
    if (selected < needed) {
        if (n == sorted.size()) needed = request.amount + fee_for(request, tx_size(std::max<std::size_t>(n, 1), 2));
        return fail(WalletErrc::insufficient_funds,
                    fmt::format("insufficient funds: available {}, needed {} (amount {} + fee {})",
                                chain::format_coins(available), chain::format_coins(needed),
                                chain::format_coins(request.amount), chain::format_coins(needed - request.amount)));
    }
    pay.fee = needed - request.amount;
    pay.change = selected - needed;
    for (std::size_t i = 0; i < n; ++i) {
        chain::TxIn in;
        in.prevout = sorted[i].outpoint;
        in.pubkey = sender.public_key();
        pay.tx.inputs.push_back(in);
        pay.spent.push_back(chain::SpentOutput{sorted[i].coin.out.value, sorted[i].coin.out.key_hash});
    }
    pay.tx.outputs.push_back(chain::TxOut{request.amount, request.to});
    // No change output when nothing is left: the fee computed for two outputs
    // then slightly overpays the smaller transaction, never underpays it.
    if (pay.change > 0) pay.tx.outputs.push_back(chain::TxOut{pay.change, sender.key_hash()});
    sign_inputs(pay.tx, pay.spent, sender);
    return pay;
}

void sign_inputs(chain::Transaction& tx, std::span<const chain::SpentOutput> spent, const KeyPair& key) {
    const chain::SignatureHasher hasher(tx, spent);
    for (std::uint32_t i = 0; i < tx.inputs.size(); ++i) tx.inputs[i].signature = key.sign(hasher.hash(i));
}

}  // namespace chainkit::wallet
