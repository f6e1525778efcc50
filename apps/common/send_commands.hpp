// The parts of `send` (wallet_commands.cpp): building the payment, and
// handing it to the network through the node running on this data
// directory or through a short-lived node connected to --connect peers.
// A payment counts as sent once a remote peer took it: fetched it from the
// node (getdata) or announced it back (node::Node::tx_taken_by).
#pragma once

#include "chainkit/rpc/client.hpp"
#include "chainkit/wallet/payment.hpp"
#include "chainkit/wallet/wallet.hpp"

#include "commands.hpp"
#include "node_context.hpp"

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace chainkit::apps {

// How long `send` waits for a remote peer to take the payment.
inline constexpr std::chrono::milliseconds SEND_WAIT{10'000};

// Signs a payment of `request` from `key`'s coins (`coins`, all paying it)
// not spent by the wallet's pending transactions, to be mined at
// `spend_height`. UserError saying why (funds, maturity, size).
[[nodiscard]] wallet::Payment build_send(const NodeContext& ctx, const wallet::Wallet& w, const wallet::KeyPair& key,
                                         wallet::PaymentRequest request, const std::vector<chain::OwnedCoin>& coins,
                                         std::uint64_t spend_height);

// "Sent ..." when `takers` > 0; otherwise the one-line UserError.
void report_sent(const SendArgs& args, chain::Amount amount, chain::Amount fee, const chain::TxId& txid,
                 std::size_t takers, std::size_t peers, std::ostream& out);

// send through the running node: coins from listunspent (what its mempool
// spends left out), sendrawtransaction, then generatetoaddress (--mine) or
// a wait of at most SEND_WAIT for a remote peer to take it.
void send_via_node(rpc::RpcClient& node, NodeContext& ctx, const SendArgs& args, const wallet::PaymentRequest& request,
                   const wallet::KeyPair& key, std::ostream& out);

struct HandOff {
    bool accepted = false;  // by the short-lived node's own mempool
    std::string refusal;    // why not
    std::size_t takers = 0;
    std::size_t peers = 0;  // connected when the wait ended
};

// Runs a node on ctx's open chain (read-write, lock held) connected to
// `connect`, submits `tx`, and waits at most `bound` for a peer to take it;
// then stops the node cleanly.
[[nodiscard]] HandOff hand_to_peers(NodeContext& ctx, const std::vector<std::string>& connect,
                                    const chain::Transaction& tx, std::chrono::milliseconds bound);

}  // namespace chainkit::apps
