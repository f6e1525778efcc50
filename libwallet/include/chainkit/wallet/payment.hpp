// Building and signing a payment from one address to another.
//
// Coin selection: the sender's coins minus those its own unconfirmed
// transactions spend and immature coinbases, largest value first (fewest
// inputs, so the smallest fee), ties broken by outpoint so the result is
// deterministic. The fee is either given or fee_rate x the signed size. Any
// remainder goes back to the sender as a change output. Pure functions;
// thread-safe.
#pragma once

#include "chainkit/chain/chain_store.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/result.hpp"
#include "chainkit/chain/transaction.hpp"
#include "chainkit/chain/utxo.hpp"
#include "chainkit/wallet/key.hpp"

#include <optional>
#include <set>
#include <span>
#include <vector>

namespace chainkit::wallet {

using chain::OwnedCoin;  // an unspent output with its outpoint (chain_store.hpp)

struct PaymentRequest {
    chain::KeyHash to;
    chain::Amount amount = 0;
    std::optional<chain::Amount> fee;  // absolute fee; overrides fee_rate
    chain::Amount fee_rate = 0;        // base units per byte of the signed transaction
    // Largest signed transaction to build (a block must hold it beside its
    // header and coinbase); 0: only chain::TX_MAX_INPUTS bounds the inputs.
    std::size_t max_tx_size = 0;
};

struct Payment {
    chain::Transaction tx;
    std::vector<chain::SpentOutput> spent;  // one per input, for signature hashes
    chain::Amount fee = 0;
    chain::Amount change = 0;
};

// The coins a transaction mined at `spend_height` may spend: not in
// `pending_spends`, and coinbases only once mature.
[[nodiscard]] std::vector<OwnedCoin> spendable_coins(std::span<const OwnedCoin> coins,
                                                     const std::set<chain::OutPoint>& pending_spends,
                                                     std::uint64_t spend_height, const chain::ConsensusParams& p);

// Selects from `spendable` (all paying `sender`) and signs every input.
// invalid_amount for a zero/out-of-range amount or fee; insufficient_funds
// with "available X, needed Y" in coins; too_many_inputs when the coins
// would cover it but not within max_tx_size / TX_MAX_INPUTS inputs.
[[nodiscard]] Result<Payment> build_payment(const PaymentRequest& request, std::span<const OwnedCoin> spendable,
                                            const KeyPair& sender);

// Signs input i of `tx` with `key` over signature_hash(tx, i, spent).
void sign_inputs(chain::Transaction& tx, std::span<const chain::SpentOutput> spent, const KeyPair& key);

}  // namespace chainkit::wallet
