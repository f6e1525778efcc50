// Notifications from the chain state, so that the wallet, the mempool and
// the network layer react instead of polling. Callbacks run on the thread
// that changed the chain (in the node, its chain::ChainWorker, never the
// network thread), synchronously and in chain order: every disconnect of a
// reorg before its connects, then one tip change. Observers must not call back into the chain state from inside
// a callback; they post work instead.
#pragma once

#include "chainkit/chain/block.hpp"

#include <cstdint>
#include <span>

namespace chainkit::chain {

class ChainObserver {
public:
    virtual ~ChainObserver() = default;
    // `txids`: the block's transactions' txids, in block order (hashed once by
    // the chain state, so no observer hashes the block again).
    virtual void on_block_connected(const Block& /*block*/, std::uint64_t /*height*/, std::span<const TxId> /*txids*/) {
    }
    virtual void on_block_disconnected(const Block& /*block*/, std::uint64_t /*height*/) {}
    virtual void on_tip_changed(const BlockHash& /*tip*/, std::uint64_t /*height*/) {}
    virtual void on_tx_accepted(const Transaction& /*tx*/) {}
};

}  // namespace chainkit::chain
