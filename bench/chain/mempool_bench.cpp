// Mempool and block-template figures (docs/performance.md, "Mempool and block templates"):
//   accept rate of signed one-input transactions, as a ratio to this
//   machine's single-thread Ed25519 verification rate measured in the same
//   run (accept verifies one signature per input on the calling thread);
//   time to build a full block template from a large pool;
//   time to revalidate the whole pool after a reorg (no signature checks).
// Usage: mempool_bench [transactions]   (default 20000)
#include "chainkit/chain/block_template.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/utxo.hpp"

#include "support/regtest_chain.hpp"

#include <sodium.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace chainkit::chain;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

using chainkit::test::TestKey;

// A signed spend of `prev` (worth `value`, paying `from`) with fee `fee`.
Transaction spend(const TestKey& from, const OutPoint& prev, Amount value, Amount fee, const KeyHash& to) {
    return chainkit::test::make_spend({OwnedCoin{prev, Coin{TxOut{value, from.key_hash}, 0, false}}}, from,
                                      {TxOut{value - fee, to}});
}

double verify_rate(const std::vector<Transaction>& txs, const TestKey& key, Amount value) {
    const SpentOutput spent[] = {{value, key.key_hash}};
    std::vector<Hash256> msgs;
    for (const auto& tx : txs) msgs.push_back(signature_hash(tx, 0, spent));
    const auto t0 = Clock::now();
    std::size_t ok = 0;
    for (std::size_t i = 0; i < txs.size(); ++i) ok += verify_signature(key.pk, msgs[i], txs[i].inputs[0].signature);
    const double s = seconds_since(t0);
    if (ok != txs.size()) std::fprintf(stderr, "signature check failed\n");
    return static_cast<double>(txs.size()) / s;
}

}  // namespace

int main(int argc, char** argv) {
    if (sodium_init() < 0) return 1;
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20'000;
    auto params = params_for(Network::main);
    const TestKey alice = TestKey::from_seed(1), bob = TestKey::from_seed(2);
    const Amount value = COIN;

    MemoryUtxoSet utxo;
    std::vector<Transaction> txs;
    txs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::array<std::uint8_t, 32> id{};
        for (int b = 0; b < 8; ++b) id[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(i >> (8 * b));
        const OutPoint o{TxId(id), 0};
        utxo.add(o, Coin{TxOut{value, alice.key_hash}, 1, false});
        // Fees vary so the template must sort: 10..109 units per byte.
        const Amount fee = static_cast<Amount>(166 * (10 + i % 100));
        txs.push_back(spend(alice, o, value, fee, bob.key_hash));
    }

    const double verify_per_s = verify_rate(txs, alice, value);

    Mempool pool(params, utxo, 1000, MempoolOptions{256'000'000});
    auto t0 = Clock::now();
    for (const auto& tx : txs) {
        if (!pool.accept(tx)) {
            std::fprintf(stderr, "accept failed\n");
            return 1;
        }
    }
    const double accept_per_s = static_cast<double>(n) / seconds_since(t0);

    BlockContext ctx;
    ctx.height = 1001;
    ctx.bits = params.pow_limit_bits;
    t0 = Clock::now();
    const auto t = make_block_template(pool, ctx, TemplateOptions{bob.key_hash}, params);
    const double template_ms = seconds_since(t0) * 1e3;

    // A one-block reorg with an empty block: the whole pool is revalidated.
    Block empty;
    empty.txs.push_back(make_coinbase(1000, 0, bob.key_hash));
    t0 = Clock::now();
    pool.on_block_disconnected(empty, 1000);
    pool.on_tip_changed(BlockHash{}, 999);
    const double reorg_ms = seconds_since(t0) * 1e3;

    std::printf("transactions in pool:        %zu (%zu bytes)\n", pool.size(), pool.bytes());
    std::printf("ed25519 verify, 1 thread:    %.0f /s\n", verify_per_s);
    std::printf("mempool accept, 1 thread:    %.0f tx/s  ratio to verify %.2f\n", accept_per_s,
                accept_per_s / verify_per_s);
    std::printf("block template (%zu txs, %zu bytes of %zu): %.2f ms\n", t.block.txs.size() - 1, t.size,
                params.max_block_size, template_ms);
    std::printf("reorg revalidation of the pool: %.2f ms (%.0f tx/s)\n", reorg_ms,
                static_cast<double>(pool.size()) / (reorg_ms / 1e3));
    return 0;
}
