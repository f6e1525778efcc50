// Valid consensus objects the chain, store and wallet targets seed from.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/merkle.hpp"

#include <cstdint>

namespace chainkit::fuzz {

inline chain::KeyHash seed_key_hash(std::uint8_t fill) {
    chain::KeyHash k;
    k.bytes.fill(fill);
    return k;
}

// A spend of two outputs into two, with arbitrary (unchecked) keys and signatures.
inline chain::Transaction seed_spend(std::uint8_t fill) {
    chain::Transaction tx;
    for (std::uint32_t i = 0; i < 2; ++i) {
        chain::TxIn in;
        in.prevout.txid.bytes().fill(static_cast<std::uint8_t>(fill + i));
        in.prevout.index = i;
        in.pubkey.fill(static_cast<std::uint8_t>(0x40 + i));
        in.signature.fill(static_cast<std::uint8_t>(0x80 + i));
        tx.inputs.push_back(in);
    }
    tx.outputs.push_back({50'000, seed_key_hash(fill)});
    tx.outputs.push_back({1'234, seed_key_hash(static_cast<std::uint8_t>(fill + 1))});
    return tx;
}

inline chain::Block seed_block(std::uint64_t height, std::size_t spends) {
    chain::Block b;
    b.header.time = 1'700'000'000 + static_cast<std::int64_t>(height) * 60;
    b.header.bits = 0x207fffff;
    b.header.nonce = height;
    b.header.prev.bytes().fill(static_cast<std::uint8_t>(height));
    b.txs.push_back(chain::make_coinbase(height, 50 * 100'000'000LL, seed_key_hash(7)));
    for (std::size_t i = 0; i < spends; ++i) b.txs.push_back(seed_spend(static_cast<std::uint8_t>(i)));
    b.header.merkle_root = chain::block_merkle_root(b);
    return b;
}

}  // namespace chainkit::fuzz
