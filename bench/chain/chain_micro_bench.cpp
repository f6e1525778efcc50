// Micro figures of the consensus core's hashing (Google Benchmark). The
// ratios and bars live in chain_bench; these locate a regression.
#include "chainkit/chain/miner.hpp"
#include "chainkit/chain/sha256.hpp"

#include <benchmark/benchmark.h>

#include <vector>

using namespace chainkit::chain;

namespace {

void bm_compress(benchmark::State& state, Sha256Impl impl) {
    if (impl == Sha256Impl::shani && !sha256_shani_available()) {
        state.SkipWithError("no SHA extensions on this CPU");
        return;
    }
    alignas(16) std::uint8_t block[64] = {};
    for (auto _ : state) {
        Sha256State s = SHA256_INITIAL_STATE;
        sha256_compress(impl, s, block, 1);
        benchmark::DoNotOptimize(s);
        ++block[0];
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(bm_compress, portable, Sha256Impl::portable);
BENCHMARK_CAPTURE(bm_compress, shani, Sha256Impl::shani);

void bm_sha256(benchmark::State& state) {
    const std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0x5a);
    for (auto _ : state) benchmark::DoNotOptimize(sha256(data));
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(bm_sha256)->Arg(32)->Arg(88)->Arg(1024)->Arg(64 * 1024);

// A whole header hash (encode + 2 compressions) against the miner's
// midstate path (1 compression): the reason for the midstate.
void bm_header_hash(benchmark::State& state) {
    BlockHeader h;
    for (auto _ : state) {
        ++h.nonce;
        benchmark::DoNotOptimize(h.hash());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_header_hash);

void bm_header_midstate(benchmark::State& state) {
    BlockHeader h;
    HeaderHasher hasher(h);
    const Sha256Impl impl = sha256_best_impl();
    Sha256State out{};
    std::uint64_t nonce = 0;
    for (auto _ : state) {
        hasher.set_nonce(++nonce);
        hasher.compress(impl, out);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_header_midstate);

// Each miner kernel over 4,096 nonces per scan call (the miner's batch).
void bm_kernel_scan(benchmark::State& state, MinerKernel k) {
    if (!miner_kernel_available(k)) {
        state.SkipWithError("kernel not available on this CPU");
        return;
    }
    const NonceScanner scanner(BlockHeader{}, k);
    std::uint64_t first = 0;
    constexpr std::uint64_t BATCH = 4096;
    for (auto _ : state) {
        benchmark::DoNotOptimize(scanner.scan(first, BATCH, 0));
        first += BATCH;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(BATCH));
}
BENCHMARK_CAPTURE(bm_kernel_scan, scalar, MinerKernel::scalar);
BENCHMARK_CAPTURE(bm_kernel_scan, avx2, MinerKernel::avx2);
BENCHMARK_CAPTURE(bm_kernel_scan, shani1, MinerKernel::shani1);
BENCHMARK_CAPTURE(bm_kernel_scan, shani2, MinerKernel::shani2);
BENCHMARK_CAPTURE(bm_kernel_scan, shani4, MinerKernel::shani4);

}  // namespace

BENCHMARK_MAIN();
