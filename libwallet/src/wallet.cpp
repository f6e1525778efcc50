#include "chainkit/wallet/wallet.hpp"

#include "chainkit/util/file_io.hpp"
#include "chainkit/wallet/address.hpp"
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/secure_memory.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chainkit::wallet {
namespace {

// The wallet's own codes for a file error, so callers test one category.
Error wallet_file_error(const Error& e) {
    return Error{
        make_error_code(e.code == util::FileErrc::not_found ? WalletErrc::file_not_found : WalletErrc::file_io),
        e.message};
}

}  // namespace

Result<Wallet> Wallet::load(const std::filesystem::path& path, const chain::ConsensusParams& p,
                            std::optional<std::string_view> passphrase) {
    auto bytes = util::read_whole_file(path, WALLET_MAX_FILE_SIZE);
    if (!bytes) return wallet_file_error(bytes.error());
    auto contents = decode_wallet_file(*bytes, p, passphrase);
    secure_wipe(bytes->data(), bytes->size());  // an unencrypted file holds seeds
    if (!contents) return contents.error();
    Wallet w(p);
    w.m_contents = std::move(contents).value();
    return w;
}

Result<void> Wallet::save(const std::filesystem::path& path, const EncodeOptions& options) const {
    // Never replace a readable file with one load() would refuse as corrupt:
    // the limits the reader enforces are checked here first, and the old
    // file stays as it was.
    const auto too_large = [&](const std::string& what) {
        return Error{make_error_code(WalletErrc::wallet_too_large),
                     fmt::format("not saving {}: {} (the file is left as it was)", path.string(), what)};
    };
    if (m_contents.keys.size() > WALLET_MAX_KEYS)
        return too_large(
            fmt::format("{} keys, more than the {} a wallet file may hold", m_contents.keys.size(), WALLET_MAX_KEYS));
    if (m_contents.pending.size() > WALLET_MAX_PENDING)
        return too_large(fmt::format("{} pending transactions, more than the {} a wallet file may hold",
                                     m_contents.pending.size(), WALLET_MAX_PENDING));
    chain::Bytes file = encode_wallet_file(m_contents, m_params, options);
    if (file.size() > WALLET_MAX_FILE_SIZE) {
        secure_wipe(file.data(), file.size());
        return too_large(
            fmt::format("{} bytes, more than the {} a wallet file may be", file.size(), WALLET_MAX_FILE_SIZE));
    }
    auto r = util::write_file_atomic(path, file);
    secure_wipe(file.data(), file.size());
    if (!r) return wallet_file_error(r.error());
    return {};
}

const KeyPair& Wallet::new_key() {
    m_contents.keys.push_back(KeyPair::generate());
    return m_contents.keys.back();
}

const KeyPair* Wallet::find(const chain::KeyHash& h) const noexcept {
    for (const auto& k : m_contents.keys)
        if (k.key_hash() == h) return &k;
    return nullptr;
}

std::vector<std::string> Wallet::addresses() const {
    std::vector<std::string> out;
    out.reserve(m_contents.keys.size());
    for (const auto& k : m_contents.keys) out.push_back(encode_address(k.key_hash(), m_params));
    return out;
}

std::set<chain::OutPoint> Wallet::pending_spends() const {
    std::set<chain::OutPoint> out;
    for (const auto& tx : m_contents.pending)
        for (const auto& in : tx.inputs) out.insert(in.prevout);
    return out;
}

std::size_t Wallet::prune_pending(const chain::UtxoView& utxo) {
    auto& pending = m_contents.pending;
    const auto before = pending.size();
    std::erase_if(pending, [&](const chain::Transaction& tx) {
        return std::any_of(tx.inputs.begin(), tx.inputs.end(),
                           [&](const chain::TxIn& in) { return !utxo.get_coin(in.prevout).has_value(); });
    });
    return before - pending.size();
}

}  // namespace chainkit::wallet
