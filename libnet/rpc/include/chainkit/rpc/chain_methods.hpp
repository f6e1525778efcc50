// The methods that read the chain state and the mempool (docs/rpc.md):
//   getblockchaininfo, getblockcount, getblockhash, getblockheader, getblock,
//   getrawmempool, getmempoolinfo, sendrawtransaction (when
//   ChainAccess::submit_transaction is set), getbalance, listunspent,
//   getaddresshistory.
// Each handler reads through ChainAccess (chain_access.hpp): the chain job
// copies out what it needs and the JSON is built on the HTTP thread, so a
// large block costs the chain thread one read, not its formatting.
#pragma once

#include "chainkit/rpc/chain_access.hpp"
#include "chainkit/rpc/registry.hpp"

#include <memory>

namespace chainkit::rpc {

void register_chain_methods(MethodRegistry& methods, std::shared_ptr<const ChainAccess> access);

// The parts of register_chain_methods, one per source file.
void register_blockchain_methods(MethodRegistry& methods, const std::shared_ptr<const ChainAccess>& access);
void register_mempool_methods(MethodRegistry& methods, const std::shared_ptr<const ChainAccess>& access);
void register_address_methods(MethodRegistry& methods, const std::shared_ptr<const ChainAccess>& access);
void register_address_history(MethodRegistry& methods, const std::shared_ptr<const ChainAccess>& access);
void register_transaction_methods(MethodRegistry& methods, const std::shared_ptr<const ChainAccess>& access);

}  // namespace chainkit::rpc
