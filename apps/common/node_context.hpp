// The composition root: one struct owning every part of a node in
// construction order (config, stop source, database, chain state, wallet),
// destroyed in reverse. The network layer (libnet's node) will be one more
// member after `chain`, constructed from it and destroyed before it; nothing
// here needs to change for that but an open_network() step.
// Single-threaded: used by main's thread only.
#pragma once

#include "chainkit/chain/chain_state.hpp"
#include "chainkit/store/chain_db.hpp"
#include "chainkit/wallet/wallet.hpp"
#include "chainkit/wallet/wallet_lock.hpp"

#include "config.hpp"
#include "node_lock.hpp"

#include <memory>
#include <optional>
#include <stop_token>

namespace chainkit::apps {

enum class ChainAccess { read_only, read_write };

struct NodeContext {
    explicit NodeContext(Config c) : config(std::move(c)) {}
    NodeContext(const NodeContext&) = delete;
    NodeContext& operator=(const NodeContext&) = delete;
    ~NodeContext();

    // Opens the data directory and loads its chain. With no chain there and
    // --genesis given, creates it from the genesis file (read-write). Throws
    // UserError: missing database, another network, another genesis.
    // Returns the open chain when it already has enough access.
    chain::ChainState& open_chain(ChainAccess access);
    // Closes the chain and the database (another process may then open it).
    void close_chain();
    // Creates a new chain in a data directory that has none; removes the
    // directory again if it created it and creation fails.
    chain::ChainState& create_chain(const chain::Block& genesis);
    // Locks (wallet_lock.hpp) and loads the wallet file; a missing file gives
    // an empty wallet only when `create_if_missing`. Another process holding
    // the wallet, a wrong passphrase or corruption throw UserError.
    wallet::Wallet& open_wallet(bool create_if_missing);
    void save_wallet();

    Config config;
    std::stop_source stop;  // requested by the signal watcher
    std::unique_ptr<store::ChainDb> db;
    std::unique_ptr<chain::ChainState> chain;
    std::optional<wallet::WalletLock> wallet_lock;  // taken by open_wallet, before `wallet`
    std::optional<wallet::Wallet> wallet;
    // Held by startnode: other processes refuse to open the database meanwhile.
    std::unique_ptr<NodeLock> node_lock;

private:
    void open_db(store::OpenMode mode);
};

}  // namespace chainkit::apps
