// Wallet contents the wallet targets seed from, and a value comparison
// (KeyPair has no operator==: keys compare by public key).
#pragma once

#include "chainkit/wallet/wallet_file.hpp"

#include "chain_seeds.hpp"

#include <array>

namespace chainkit::fuzz {

inline wallet::WalletContents seed_wallet(std::size_t keys, std::size_t pending) {
    wallet::WalletContents w;
    for (std::size_t i = 0; i < keys; ++i) {
        std::array<std::uint8_t, wallet::SEED_SIZE> seed{};
        seed.fill(static_cast<std::uint8_t>(i + 1));
        w.keys.push_back(wallet::KeyPair::from_seed(seed));
    }
    for (std::size_t i = 0; i < pending; ++i) w.pending.push_back(seed_spend(static_cast<std::uint8_t>(i)));
    return w;
}

inline bool same_contents(const wallet::WalletContents& a, const wallet::WalletContents& b) {
    if (a.keys.size() != b.keys.size() || a.pending != b.pending) return false;
    for (std::size_t i = 0; i < a.keys.size(); ++i)
        if (a.keys[i].public_key() != b.keys[i].public_key()) return false;
    return true;
}

}  // namespace chainkit::fuzz
