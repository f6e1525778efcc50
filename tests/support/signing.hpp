// Deterministic Ed25519 test keys, transaction signing and regtest mining
// for consensus tests. Header-only so every test executable can use it.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/merkle.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/pow.hpp"
#include "chainkit/chain/transaction.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace chainkit::test {

struct TestKey {
    chain::PublicKey pk{};
    std::array<std::uint8_t, 64> sk{};

    explicit TestKey(std::uint8_t seed_byte) {
        if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
        std::array<std::uint8_t, 32> seed{};
        seed.fill(seed_byte);
        crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
    }
    [[nodiscard]] chain::KeyHash key_hash() const { return chain::key_hash_of(pk); }
};

// Signs every input of `tx`; input i is signed by keys[i].
inline void sign_inputs(chain::Transaction& tx, std::span<const TestKey* const> keys,
                        std::span<const chain::SpentOutput> spent) {
    // Public keys are part of the signed bytes: set them all before signing.
    for (std::size_t i = 0; i < tx.inputs.size(); ++i) tx.inputs[i].pubkey = keys[i]->pk;
    for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
        const auto msg = chain::signature_hash(tx, static_cast<std::uint32_t>(i), spent);
        crypto_sign_detached(tx.inputs[i].signature.data(), nullptr, msg.data(), msg.SIZE, keys[i]->sk.data());
    }
}

// One-input, one-key spend of `prev` output `index` worth `value` to `to`.
inline chain::Transaction make_spend(const TestKey& from, const chain::OutPoint& prev, chain::Amount value,
                                     const std::vector<chain::TxOut>& outs) {
    chain::Transaction tx;
    tx.inputs.push_back(chain::TxIn{prev, from.pk, {}});
    tx.outputs = outs;
    const chain::SpentOutput spent[] = {{value, from.key_hash()}};
    const TestKey* keys[] = {&from};
    sign_inputs(tx, keys, spent);
    return tx;
}

// Grinds the nonce until the header meets its bits (regtest: ~2 tries).
inline void grind(chain::BlockHeader& h, const chain::ConsensusParams& p) {
    while (!chain::check_proof_of_work(h.hash(), h.bits, p.pow_limit)) ++h.nonce;
}

// A block on `prev` at `height` with a coinbase paying `value` to `payee`
// followed by `txs`, merkle root set and mined.
inline chain::Block make_block(const chain::BlockHash& prev, std::uint64_t height, std::int64_t time,
                               const chain::KeyHash& payee, chain::Amount value,
                               std::vector<chain::Transaction> txs, const chain::ConsensusParams& p) {
    chain::Block b;
    b.header.prev = prev;
    b.header.time = time;
    b.header.bits = p.pow_limit_bits;
    b.txs.push_back(chain::make_coinbase(height, value, payee));
    for (auto& tx : txs) b.txs.push_back(std::move(tx));
    b.header.merkle_root = chain::block_merkle_root(b);
    grind(b.header, p);
    return b;
}

}  // namespace chainkit::test
