// The mining methods (docs/rpc.md): getmininginfo, and generatetoaddress
// (regtest only) when MiningAccess::submit_block is set. Chain reads go
// through ChainAccess (chain_access.hpp); blocks are handed to the node on
// its network executor, which connects and relays them.
#pragma once

#include "chainkit/rpc/chain_access.hpp"
#include "chainkit/rpc/registry.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace chainkit::rpc {

// What this node's own miner reports (NodeMiner::status()).
struct MinerStatus {
    double hashes_per_second = 0;  // measured over its last search
    unsigned threads = 0;
    std::uint64_t blocks_found = 0;
};

struct MiningAccess {
    std::shared_ptr<const ChainAccess> chain;
    // Connects a block mined here and relays it; runs on chain->network
    // (Node::submit_block). Without it generatetoaddress is not registered.
    std::function<asio::awaitable<chain::AcceptResult>(chain::Block)> submit_block;
    std::function<std::int64_t()> now;  // Unix seconds, for block timestamps
    // Thread-safe; nullopt when this node does not mine. Optional.
    std::function<std::optional<MinerStatus>()> miner;
};

void register_mining_methods(MethodRegistry& methods, std::shared_ptr<const MiningAccess> access);

}  // namespace chainkit::rpc
