// `startnode`: runs this data directory's chain as a network node until
// SIGINT/SIGTERM. The chain state and mempool live on a ChainWorker thread;
// networking on the main thread's io_context; a miner role mines on its
// own threads and abandons its work the moment a new tip arrives. The
// JSON-RPC server (node_rpc.hpp) runs beside it unless --no-rpc.
#pragma once

#include "node_context.hpp"
#include "node_rpc.hpp"

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace chainkit::apps {

struct StartNodeArgs {
    std::vector<std::string> connect;  // multiaddrs, with or without /p2p/<id>
    std::string listen;                // default /ip4/127.0.0.1/tcp/<port>
    std::size_t max_inbound = 117;
    std::size_t max_outbound = 8;
    // Verified-signature cache bound (chain/sig_cache.hpp); 0: off, every
    // block signature is verified again.
    std::size_t sig_cache_mib = 8;
    // Miner role.
    std::string miner_address;  // empty: this node does not mine
    unsigned threads = 0;       // 0: one per hardware thread
    std::size_t min_txs = 2;    // mine once this many transactions wait (the tutorial's rule)
    bool continuous = false;    // mine all the time, empty blocks included
    RpcOptions rpc;             // on by default: the other commands need it while the node runs
};

void cmd_startnode(NodeContext& ctx, const std::string& role, const StartNodeArgs& args, std::ostream& out);

}  // namespace chainkit::apps
