// The wallet file format (docs/storage.md, "Wallet file"): a fixed envelope
// (magic, format version, network magic, cipher parameters, body length,
// BLAKE2b-256 checksum of everything) around a Cereal portable-binary body
// holding the key seeds and the wallet's unconfirmed transactions. With a
// passphrase the body is XChaCha20-Poly1305 under an Argon2id key, and the
// envelope is its associated data.
//
// The outer checksum is what tells the two failures apart: a file whose
// checksum fails is corrupt (file_corrupt); an intact file that does not
// decrypt was given the wrong passphrase (wrong_passphrase).
// Pure functions (no I/O); thread-safe.
#pragma once

#include "chainkit/chain/bytes.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/result.hpp"
#include "chainkit/chain/transaction.hpp"
#include "chainkit/wallet/key.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chainkit::wallet {

inline constexpr std::uint32_t WALLET_FORMAT_VERSION = 1;
inline constexpr std::size_t WALLET_MAX_FILE_SIZE = 64u << 20;
inline constexpr std::size_t WALLET_MAX_KEYS = 100'000;
inline constexpr std::size_t WALLET_MAX_PENDING = 100'000;

// Argon2id cost. The defaults are libsodium's "interactive" limits; tests
// use the minimum to stay fast. Limits read from a file are bounded to
// libsodium's [min, sensitive] range so a crafted file cannot demand
// unbounded memory.
struct KdfLimits {
    std::uint64_t opslimit;
    std::uint64_t memlimit;
    [[nodiscard]] static KdfLimits interactive() noexcept;
    [[nodiscard]] static KdfLimits minimum() noexcept;
};

struct WalletContents {
    std::vector<KeyPair> keys;
    std::vector<chain::Transaction> pending;  // own transactions not yet in a block
};

struct EncodeOptions {
    std::optional<std::string_view> passphrase;  // none or empty: unencrypted
    KdfLimits kdf = KdfLimits::interactive();
};

[[nodiscard]] chain::Bytes encode_wallet_file(const WalletContents& w, const chain::ConsensusParams& p,
                                              const EncodeOptions& options);
[[nodiscard]] Result<WalletContents> decode_wallet_file(chain::ByteSpan file, const chain::ConsensusParams& p,
                                                        std::optional<std::string_view> passphrase);
// True if `file` has a valid envelope with an encrypted body.
[[nodiscard]] bool wallet_file_is_encrypted(chain::ByteSpan file) noexcept;

}  // namespace chainkit::wallet
