// chain_bench: the consensus-core figures of docs/performance.md, each a
// ratio against a limit measured in the same run.
//
//   miner nonces/s, 1 thread      vs  SHA-256 compressions/s (fastest kernel)  bar >= 0.70
//   miner nonces/s, all threads   vs  miner, 1 thread                          bar >= 1.8
//   SigCheckQueue, all threads    vs  libsodium Ed25519 verify, 1 thread       bar >= 1.8
//
// Usage: chain_bench [seconds per measurement, default 1] [rounds, default 3]
// Each figure is the best of `rounds` measurements, taken in alternation so a
// burst of load from other processes hits every figure alike. Every figure is
// given per wall second and per CPU second of the process: on a machine busy
// with other work the wall ratios fall while the CPU-time ones stay true, and
// "cores obtained" shows how much of the machine the run actually had.
#include "chainkit/chain/check_queue.hpp"
#include "chainkit/chain/miner.hpp"
#include "chainkit/chain/sha256.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace chainkit::chain;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the whole process (every thread), to tell a slow kernel from a
// machine whose cores are busy with other work.
double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Operations per wall second and per CPU second of one measurement.
struct Rate {
    double wall = 0;
    double cpu = 0;
    double cores = 0;  // CPU seconds per wall second: the cores actually obtained
};

Rate make_rate(double ops, double wall_seconds, double cpu_seconds) {
    return {ops / wall_seconds, ops / cpu_seconds, cpu_seconds / wall_seconds};
}

// Runs `step` (which does `batch` operations) until `seconds` pass.
template <class Step>
Rate measure(double seconds, std::uint64_t batch, Step&& step) {
    std::uint64_t ops = 0;
    const auto start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    double elapsed = 0;
    do {
        step();
        ops += batch;
        elapsed = seconds_since(start);
    } while (elapsed < seconds);
    return make_rate(static_cast<double>(ops), elapsed, process_cpu_seconds() - cpu_start);
}

// Compressions of one 64-byte block from a fixed midstate, as the miner does
// (independent tries), with one byte varied so no call can be hoisted.
Rate compress_rate(Sha256Impl impl, double seconds) {
    alignas(16) std::uint8_t block[64] = {1, 2, 3};
    Sha256State mid = SHA256_INITIAL_STATE;
    std::uint32_t sink = 0;
    constexpr std::uint64_t BATCH = 4096;
    const Rate rate = measure(seconds, BATCH, [&] {
        for (std::uint64_t i = 0; i < BATCH; ++i) {
            block[16] = static_cast<std::uint8_t>(i);
            Sha256State s = mid;
            sha256_compress(impl, s, block, 1);
            sink += s[0];
        }
    });
    if (sink == 0x12345678) std::puts("");  // keeps the work observable
    return rate;
}

// Chained compressions (each input state is the previous output): the
// latency-bound variant, reported so the limit is the better of the two.
Rate chained_compress_rate(Sha256Impl impl, double seconds) {
    alignas(16) std::uint8_t block[64] = {4, 5, 6};
    Sha256State s = SHA256_INITIAL_STATE;
    constexpr std::uint64_t BATCH = 4096;
    const Rate rate = measure(seconds, BATCH, [&] {
        for (std::uint64_t i = 0; i < BATCH; ++i) sha256_compress(impl, s, block, 1);
    });
    if (s[0] == 0x12345678) std::puts("");
    return rate;
}

// One call over many blocks: no per-call state loads, the kernel's ceiling
// for one stream of data. Information only; a miner's try is one block.
Rate multi_block_rate(Sha256Impl impl, double seconds) {
    constexpr std::size_t BLOCKS = 1024;
    static std::uint8_t data[64 * BLOCKS] = {7, 8, 9};
    Sha256State s = SHA256_INITIAL_STATE;
    const Rate rate = measure(seconds, BLOCKS, [&] { sha256_compress(impl, s, data, BLOCKS); });
    if (s[0] == 0x12345678) std::puts("");
    return rate;
}

Rate miner_rate(unsigned threads, double seconds) {
    BlockHeader tmpl;
    tmpl.time = 1'700'000'000;
    tmpl.bits = 0x03000001;  // target 1: the search runs until stopped
    std::stop_source stop;
    std::jthread timer([&stop, seconds] {
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        stop.request_stop();
    });
    const double cpu_start = process_cpu_seconds();
    const MineResult r = mine_header(tmpl, MinerOptions{threads, 0}, stop.get_token());
    return make_rate(static_cast<double>(r.tries), r.seconds, process_cpu_seconds() - cpu_start);
}

std::vector<SigCheck> signed_batch(std::size_t n) {
    std::vector<SigCheck> batch(n);
    std::uint8_t sk[crypto_sign_SECRETKEYBYTES];
    for (std::size_t i = 0; i < n; ++i) {
        auto& c = batch[i];
        if (i % 16 == 0) crypto_sign_keypair(c.pubkey.data(), sk);
        else c.pubkey = batch[i - 1].pubkey;
        randombytes_buf(c.message.bytes().data(), c.message.SIZE);
        crypto_sign_detached(c.signature.data(), nullptr, c.message.data(), c.message.SIZE, sk);
    }
    return batch;
}

Rate sodium_verify_rate(const std::vector<SigCheck>& batch, double seconds) {
    return measure(seconds, batch.size(), [&] {
        for (const auto& c : batch) {
            if (crypto_sign_verify_detached(c.signature.data(), c.message.data(), c.message.SIZE, c.pubkey.data()) != 0)
                std::abort();
        }
    });
}

Rate queue_verify_rate(SigCheckQueue& queue, const std::vector<SigCheck>& batch, double seconds) {
    return measure(seconds, batch.size(), [&] {
        if (queue.verify(batch)) std::abort();
    });
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

// Best of the rounds, each column on its own: load from other processes only
// ever lowers a figure.
void keep_best(Rate& best, const Rate& r) {
    best.wall = std::max(best.wall, r.wall);
    best.cpu = std::max(best.cpu, r.cpu);
    best.cores = std::max(best.cores, r.cores);
}

struct Figures {
    Rate compress_independent, compress_chained, compress_multi, miner_one, miner_all, sodium_one, queue_one, queue_all;
};

void print_rate(const char* name, const Rate& r) {
    std::printf("| %s | %.3e | %.3e | %.2f |\n", name, r.wall, r.cpu, r.cores);
}

const char* verdict(double ratio, double bar) { return ratio >= bar ? "meets" : "MISSES"; }

void print_ratio(const char* name, double wall, double cpu, double bar) {
    std::printf("| %s | %.3f | %.3f | %.2f | %s |\n", name, wall, cpu, bar, verdict(wall, bar));
}

void print_report(const Figures& f, unsigned all, Sha256Impl impl) {
    const std::string kernel(to_string(impl));
    std::printf("| figure | per wall second | per CPU second | cores obtained |\n|---|---:|---:|---:|\n");
    print_rate(("SHA-256 compressions, " + kernel + ", independent blocks").c_str(), f.compress_independent);
    print_rate(("SHA-256 compressions, " + kernel + ", chained blocks").c_str(), f.compress_chained);
    print_rate(("SHA-256 compressions, " + kernel + ", 1,024 blocks per call (information)").c_str(),
               f.compress_multi);
    print_rate("miner nonces, 1 thread", f.miner_one);
    print_rate(("miner nonces, " + std::to_string(all) + " threads").c_str(), f.miner_all);
    print_rate("Ed25519 verifications, libsodium, 1 thread", f.sodium_one);
    print_rate("Ed25519 verifications, SigCheckQueue(1)", f.queue_one);
    print_rate(("Ed25519 verifications, SigCheckQueue(" + std::to_string(all) + ")").c_str(), f.queue_all);

    // The limit is the better of the two compression loops, per column.
    const double limit_wall = std::max(f.compress_independent.wall, f.compress_chained.wall);
    const double limit_cpu = std::max(f.compress_independent.cpu, f.compress_chained.cpu);
    // Scaling per CPU second is the per-thread efficiency times the threads:
    // what the wall ratio becomes when every thread gets a core of its own.
    const double n = static_cast<double>(all);
    std::printf("\n| ratio | wall clock | CPU-time based | bar | verdict (wall) |\n|---|---:|---:|---:|---|\n");
    print_ratio("miner 1 thread / SHA-256 limit", f.miner_one.wall / limit_wall, f.miner_one.cpu / limit_cpu, 0.70);
    print_ratio("miner 1 thread / 1,024-block calls (information)", f.miner_one.wall / f.compress_multi.wall,
                f.miner_one.cpu / f.compress_multi.cpu, 0.70);
    print_ratio(("miner " + std::to_string(all) + " threads / miner 1 thread").c_str(),
                f.miner_all.wall / f.miner_one.wall, n * f.miner_all.cpu / f.miner_one.cpu, 1.8);
    print_ratio(("SigCheckQueue(" + std::to_string(all) + ") / libsodium 1 thread").c_str(),
                f.queue_all.wall / f.sodium_one.wall, n * f.queue_all.cpu / f.sodium_one.cpu, 1.8);
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    if (sodium_init() < 0 || seconds <= 0) {
        std::fprintf(stderr, "chain_bench: bad arguments or libsodium failed to start\n");
        return 1;
    }
    const unsigned all = std::max(1u, std::thread::hardware_concurrency());
    const Sha256Impl impl = sha256_best_impl();
    // A block's worth of signatures: about 1,000 two-input transactions.
    const auto batch = signed_batch(2048);
    SigCheckQueue queue_one(1);
    SigCheckQueue queue_all(0);

    std::printf("chain_bench: %u hardware threads, SHA-256 kernel %s, %.2f s x %d rounds, load average before %s\n\n",
                all, std::string(to_string(impl)).c_str(), seconds, rounds, load_average().c_str());
    Figures f;
    for (int r = 0; r < rounds; ++r) {
        keep_best(f.compress_independent, compress_rate(impl, seconds));
        keep_best(f.compress_chained, chained_compress_rate(impl, seconds));
        keep_best(f.compress_multi, multi_block_rate(impl, seconds));
        keep_best(f.miner_one, miner_rate(1, seconds));
        keep_best(f.miner_all, miner_rate(0, seconds));
        keep_best(f.sodium_one, sodium_verify_rate(batch, seconds));
        keep_best(f.queue_one, queue_verify_rate(queue_one, batch, seconds));
        keep_best(f.queue_all, queue_verify_rate(queue_all, batch, seconds));
    }
    print_report(f, all, impl);
    std::printf("\nload average after %s\n", load_average().c_str());
    return 0;
}
