// A node's wallet: its key pairs and its own unconfirmed transactions,
// loaded from and saved to one wallet file (wallet_file.hpp). Loading never
// modifies the file, so a read error can never lead to it being overwritten.
// Not thread-safe: one owner at a time.
#pragma once

#include "chainkit/chain/params.hpp"
#include "chainkit/chain/result.hpp"
#include "chainkit/chain/utxo.hpp"
#include "chainkit/wallet/key.hpp"
#include "chainkit/wallet/wallet_file.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::wallet {

class Wallet {
public:
    explicit Wallet(const chain::ConsensusParams& p) : m_params(p) {}

    // file_not_found, file_io, file_corrupt, file_unsupported,
    // file_wrong_network, passphrase_required or wrong_passphrase.
    [[nodiscard]] static Result<Wallet> load(const std::filesystem::path& path, const chain::ConsensusParams& p,
                                             std::optional<std::string_view> passphrase);
    // Atomic replace; encrypted when options.passphrase is non-empty.
    // wallet_too_large (nothing written) when load() would refuse the file:
    // above WALLET_MAX_KEYS, WALLET_MAX_PENDING or WALLET_MAX_FILE_SIZE.
    [[nodiscard]] Result<void> save(const std::filesystem::path& path, const EncodeOptions& options) const;

    // A new random key; the reference is valid until the next new_key().
    const KeyPair& new_key();
    [[nodiscard]] const std::vector<KeyPair>& keys() const noexcept { return m_contents.keys; }
    [[nodiscard]] const KeyPair* find(const chain::KeyHash& h) const noexcept;
    [[nodiscard]] std::vector<std::string> addresses() const;
    [[nodiscard]] const chain::ConsensusParams& params() const noexcept { return m_params; }

    // Own transactions not yet in a block: their inputs are not spendable.
    void add_pending(chain::Transaction tx) { m_contents.pending.push_back(std::move(tx)); }
    [[nodiscard]] const std::vector<chain::Transaction>& pending() const noexcept { return m_contents.pending; }
    [[nodiscard]] std::set<chain::OutPoint> pending_spends() const;
    // Drops pending transactions an input of which is no longer unspent in
    // `utxo` (confirmed, or conflicted by another spend). Returns how many.
    std::size_t prune_pending(const chain::UtxoView& utxo);

private:
    chain::ConsensusParams m_params;
    WalletContents m_contents;
};

}  // namespace chainkit::wallet
