#include "node_context.hpp"

#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/secure_memory.hpp"

#include "errors.hpp"
#include "genesis_file.hpp"
#include "node_lock.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <system_error>

namespace chainkit::apps {
namespace {

std::string no_chain_message(const Config& c) {
    return fmt::format("no blockchain in {}: run 'central createblockchain --address ADDRESS' or pass --genesis FILE",
                       c.data_dir.string());
}

}  // namespace

NodeContext::~NodeContext() {
    // Reverse construction order, explicitly: the chain state reads the
    // database until it is gone.
    wallet.reset();
    chain.reset();
    db.reset();
    if (config.passphrase) wallet::secure_wipe(config.passphrase->data(), config.passphrase->size());
}

void NodeContext::open_db(store::OpenMode mode) {
    close_chain();
    auto opened = store::open(config.data_dir, config.params, mode);
    if (!opened)
        throw UserError(
            fmt::format("cannot open the database in {}: {}", config.data_dir.string(), opened.error().message));
    db = std::move(opened).value();
    chain = std::make_unique<chain::ChainState>(config.params, *db);
    chain->set_log([](std::string_view line) { spdlog::info("{}", line); });
}

chain::ChainState& NodeContext::open_chain(ChainAccess access) {
    // Already open with enough access (in-process callers run several commands).
    if (chain && (access == ChainAccess::read_only || db->writable())) return *chain;
    close_chain();
    const bool exists = std::filesystem::exists(config.data_dir);
    if (!exists && !config.genesis_path) throw UserError(no_chain_message(config));
    if (!exists) return create_chain(read_genesis_file(*config.genesis_path, config.params));
    if (!node_lock) NodeLock::check_free(config.data_dir);
    open_db(access == ChainAccess::read_write ? store::OpenMode::read_write : store::OpenMode::read_only);
    auto loaded = chain->load();
    if (loaded) {
        if (config.genesis_path) {
            const auto genesis = read_genesis_file(*config.genesis_path, config.params);
            if (genesis.hash() != chain->genesis_hash())
                throw UserError(fmt::format("the chain in {} has another genesis than {}", config.data_dir.string(),
                                            config.genesis_path->string()));
        }
        return *chain;
    }
    if (loaded.error().code != chain::ChainError::not_initialized)
        throw UserError(
            fmt::format("cannot load the chain in {}: {}", config.data_dir.string(), loaded.error().message));
    if (!config.genesis_path) throw UserError(no_chain_message(config));
    const auto genesis = read_genesis_file(*config.genesis_path, config.params);
    chain.reset();
    db.reset();
    return create_chain(genesis);
}

void NodeContext::close_chain() {
    chain.reset();  // before its store: the chain state reads the database
    db.reset();
}

chain::ChainState& NodeContext::create_chain(const chain::Block& genesis) {
    const bool existed = std::filesystem::exists(config.data_dir);
    const auto cleanup = [&] {
        chain.reset();
        db.reset();
        std::error_code ec;
        if (!existed) std::filesystem::remove_all(config.data_dir, ec);
    };
    try {
        open_db(store::OpenMode::read_write);
        auto loaded = chain->load();
        if (loaded) throw UserError(fmt::format("a blockchain already exists in {}", config.data_dir.string()));
        if (loaded.error().code != chain::ChainError::not_initialized)
            throw UserError(fmt::format("cannot use {}: {}", config.data_dir.string(), loaded.error().message));
        auto created = chain->create(genesis);
        if (!created)
            throw UserError(
                fmt::format("cannot create the chain in {}: {}", config.data_dir.string(), created.error().message));
    } catch (...) {
        cleanup();
        throw;
    }
    return *chain;
}

wallet::Wallet& NodeContext::open_wallet(bool create_if_missing) {
    // Held until this context goes, past the last save: a second process
    // changing the same wallet meanwhile would lose one of the two updates.
    if (!wallet_lock) wallet_lock.emplace(value_or_throw(wallet::WalletLock::acquire(config.wallet_path)));
    auto loaded = wallet::Wallet::load(config.wallet_path, config.params, config.passphrase);
    if (loaded) {
        wallet.emplace(std::move(loaded).value());
        return *wallet;
    }
    if (loaded.error().code == wallet::WalletErrc::file_not_found) {
        if (!create_if_missing)
            throw UserError(fmt::format("no wallet file {}: run 'createwallet' first", config.wallet_path.string()));
        wallet.emplace(config.params);
        return *wallet;
    }
    if (loaded.error().code == wallet::WalletErrc::passphrase_required)
        throw UserError(
            fmt::format("wallet {} is encrypted: pass --passphrase-file FILE or set CHAINKIT_WALLET_PASSPHRASE",
                        config.wallet_path.string()));
    throw UserError(fmt::format("{}: {}", config.wallet_path.string(), loaded.error().message));
}

void NodeContext::save_wallet() {
    if (!wallet) return;
    wallet::EncodeOptions options;
    if (config.passphrase) options.passphrase = *config.passphrase;
    check_or_throw(wallet->save(config.wallet_path, options));
}

}  // namespace chainkit::apps
