// chain_bench: the consensus-core figures of docs/performance.md, each a
// ratio against a limit measured in the same run.
//
//   miner nonces/s, 1 thread      vs  today's kernel (one call per nonce)       bar >= 2
//   miner nonces/s, 1 thread      vs  best kernel loop (SHA-NI 1, 2, 4 streams) bar >= 0.8
//   miner, AVX2 kernel forced     vs  miner, scalar kernel forced               bar >= 3
//   miner nonces/s, all threads   vs  miner, 1 thread                           bar >= 1.9
//   SigCheckQueue, all threads    vs  libsodium Ed25519 verify, 1 thread        bar >= 1.8
//
// "Today's kernel" is the miner loop before the multi-buffer kernels: one
// sha256_compress call per nonce from a midstate in memory (HeaderHasher).
// A kernel loop is a NonceScanner::scan over 65,536 nonces per call: the
// kernel with nothing of the miner around it. Kernels this CPU lacks print 0.
//
// Usage: chain_bench [seconds per measurement, default 1] [rounds, default 3]
// Each round measures every figure once, one after the other; each figure and
// each ratio is the median over the rounds of its per-round value. Every figure is
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

// The miner's inner loop before the multi-buffer kernels, one thread: one
// compression call per nonce with the state in memory, the early reject on
// the first word.
Rate todays_kernel_rate(double seconds) {
    BlockHeader tmpl;
    tmpl.time = 1'700'000'000;
    HeaderHasher hasher(tmpl);
    const Sha256Impl impl = sha256_best_impl();
    std::uint64_t nonce = 0, hits = 0;
    constexpr std::uint64_t BATCH = 4096;
    const Rate rate = measure(seconds, BATCH, [&] {
        Sha256State state{};
        for (std::uint64_t i = 0; i < BATCH; ++i) {
            hasher.set_nonce(++nonce);
            hasher.compress(impl, state);
            if (state[0] == 0) ++hits;
        }
    });
    if (hits == 0x12345678) std::puts("");
    return rate;
}

// A kernel alone: 65,536 nonces per scan call, a target top no hash meets.
Rate kernel_loop_rate(MinerKernel k, double seconds) {
    if (!miner_kernel_available(k)) return {};
    BlockHeader tmpl;
    tmpl.time = 1'700'000'000;
    const NonceScanner scanner(tmpl, k);
    constexpr std::uint64_t BATCH = 65'536;
    std::uint64_t first = 0, stops = 0;
    const Rate rate = measure(seconds, BATCH, [&] {
        stops += scanner.scan(first, BATCH, 0);
        first += BATCH;
    });
    if (stops == 0x12345678) std::puts("");
    return rate;
}

Rate miner_rate(unsigned threads, double seconds, MinerKernel kernel = MinerKernel::automatic) {
    if (!miner_kernel_available(kernel)) return {};
    BlockHeader tmpl;
    tmpl.time = 1'700'000'000;
    tmpl.bits = 0x03000001;  // target 1: the search runs until stopped
    std::stop_source stop;
    std::jthread timer([&stop, seconds] {
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        stop.request_stop();
    });
    const double cpu_start = process_cpu_seconds();
    const MineResult r = mine_header(tmpl, MinerOptions{threads, 0, kernel}, stop.get_token());
    return make_rate(static_cast<double>(r.tries), r.seconds, process_cpu_seconds() - cpu_start);
}

std::vector<SigCheck> signed_batch(std::size_t n) {
    std::vector<SigCheck> batch(n);
    std::uint8_t sk[crypto_sign_SECRETKEYBYTES];
    for (std::size_t i = 0; i < n; ++i) {
        auto& c = batch[i];
        if (i % 16 == 0)
            crypto_sign_keypair(c.pubkey.data(), sk);
        else
            c.pubkey = batch[i - 1].pubkey;
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

struct Figures {
    Rate compress_independent, compress_chained, compress_multi, todays_kernel;
    Rate loop_scalar, loop_avx2, loop_shani1, loop_shani2, loop_shani4;
    Rate miner_one, miner_all, miner_scalar, miner_avx2;
    Rate sodium_one, queue_one, queue_all;
};

// The fastest SHA-NI kernel loop of a round: the reference the miner is held to.
double best_loop(const Figures& f, double Rate::*c) {
    return std::max({f.loop_shani1.*c, f.loop_shani2.*c, f.loop_shani4.*c, f.loop_avx2.*c, f.loop_scalar.*c});
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// Median over the rounds of a value computed within each round: a ratio is
// only taken between measurements made seconds apart, and the median drops
// the rounds where a burst of outside load hit one side of it.
template <class F>
double median_over(const std::vector<Figures>& rounds, F value) {
    std::vector<double> v;
    for (const auto& r : rounds) v.push_back(value(r));
    return median(v);
}

Rate median_rate(const std::vector<Figures>& rounds, Rate Figures::*m) {
    return {median_over(rounds, [m](const Figures& f) { return (f.*m).wall; }),
            median_over(rounds, [m](const Figures& f) { return (f.*m).cpu; }),
            median_over(rounds, [m](const Figures& f) { return (f.*m).cores; })};
}

void print_rate(const std::string& name, const std::vector<Figures>& rounds, Rate Figures::*m) {
    const Rate r = median_rate(rounds, m);
    std::printf("| %s | %.3e | %.3e | %.2f |\n", name.c_str(), r.wall, r.cpu, r.cores);
}

const char* verdict(double ratio, double bar) {
    return ratio >= bar ? "meets" : "MISSES";
}

// `ratio(f, wall)` is the ratio within round f, on wall or CPU rates.
template <class F>
void print_ratio(const std::string& name, const std::vector<Figures>& rounds, double bar, F ratio) {
    const double wall = median_over(rounds, [&](const Figures& f) { return ratio(f, &Rate::wall); });
    const double cpu = median_over(rounds, [&](const Figures& f) { return ratio(f, &Rate::cpu); });
    std::printf("| %s | %.3f | %.3f | %.2f | %s |\n", name.c_str(), wall, cpu, bar, verdict(wall, bar));
}

double safe_ratio(double a, double b) {
    return b > 0 ? a / b : 0.0;
}

void print_report(const std::vector<Figures>& rounds, unsigned all, Sha256Impl impl) {
    const std::string kernel(to_string(impl));
    const std::string n_threads = std::to_string(all);
    const std::string best(to_string(best_miner_kernel()));
    std::printf(
        "| figure (median of rounds) | per wall second | per CPU second | cores obtained |\n"
        "|---|---:|---:|---:|\n");
    print_rate("SHA-256 compressions, " + kernel + ", independent blocks", rounds, &Figures::compress_independent);
    print_rate("SHA-256 compressions, " + kernel + ", chained blocks", rounds, &Figures::compress_chained);
    print_rate("SHA-256 compressions, " + kernel + ", 1,024 blocks per call (information)", rounds,
               &Figures::compress_multi);
    print_rate("today's kernel: one compression call per nonce, 1 thread", rounds, &Figures::todays_kernel);
    print_rate("kernel loop, scalar", rounds, &Figures::loop_scalar);
    print_rate("kernel loop, avx2 (8 lanes)", rounds, &Figures::loop_avx2);
    print_rate("kernel loop, shani1 (register-resident single stream)", rounds, &Figures::loop_shani1);
    print_rate("kernel loop, shani2 (2 streams interleaved)", rounds, &Figures::loop_shani2);
    print_rate("kernel loop, shani4 (4 streams interleaved)", rounds, &Figures::loop_shani4);
    print_rate("miner nonces, 1 thread, " + best, rounds, &Figures::miner_one);
    print_rate("miner nonces, " + n_threads + " threads, " + best, rounds, &Figures::miner_all);
    print_rate("miner nonces, 1 thread, scalar forced", rounds, &Figures::miner_scalar);
    print_rate("miner nonces, 1 thread, avx2 forced", rounds, &Figures::miner_avx2);
    print_rate("Ed25519 verifications, libsodium, 1 thread", rounds, &Figures::sodium_one);
    print_rate("Ed25519 verifications, SigCheckQueue(1)", rounds, &Figures::queue_one);
    print_rate("Ed25519 verifications, SigCheckQueue(" + n_threads + ")", rounds, &Figures::queue_all);

    // The limit is the better of the two one-block loops. Scaling on CPU
    // rates is the per-thread efficiency times the threads: what the wall
    // ratio would be if every thread had a core of its own.
    const double n = static_cast<double>(all);
    std::printf(
        "\n| ratio (median of per-round ratios) | wall clock | CPU-time based | bar | verdict (wall) |\n"
        "|---|---:|---:|---:|---|\n");
    print_ratio("miner 1 thread / today's kernel", rounds, 2.0,
                [](const Figures& f, double Rate::*c) { return safe_ratio(f.miner_one.*c, f.todays_kernel.*c); });
    print_ratio("miner 1 thread / best kernel loop", rounds, 0.8,
                [](const Figures& f, double Rate::*c) { return safe_ratio(f.miner_one.*c, best_loop(f, c)); });
    print_ratio("best interleaved loop / register-resident single stream (information)", rounds, 1.0,
                [](const Figures& f, double Rate::*c) {
                    return safe_ratio(std::max(f.loop_shani2.*c, f.loop_shani4.*c), f.loop_shani1.*c);
                });
    print_ratio("miner 1 thread / one-call-per-block SHA-256 limit (information)", rounds, 0.70,
                [](const Figures& f, double Rate::*c) {
                    return safe_ratio(f.miner_one.*c, std::max(f.compress_independent.*c, f.compress_chained.*c));
                });
    print_ratio("miner avx2 forced / miner scalar forced", rounds, 3.0,
                [](const Figures& f, double Rate::*c) { return safe_ratio(f.miner_avx2.*c, f.miner_scalar.*c); });
    print_ratio(
        "miner " + n_threads + " threads / miner 1 thread", rounds, 1.9, [n](const Figures& f, double Rate::*c) {
            return c == &Rate::cpu ? n * f.miner_all.cpu / f.miner_one.cpu : f.miner_all.wall / f.miner_one.wall;
        });
    print_ratio(
        "SigCheckQueue(" + n_threads + ") / libsodium 1 thread", rounds, 1.8, [n](const Figures& f, double Rate::*c) {
            return c == &Rate::cpu ? n * f.queue_all.cpu / f.sodium_one.cpu : f.queue_all.wall / f.sodium_one.wall;
        });
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

    std::printf(
        "chain_bench: %u hardware threads, SHA-256 kernel %s, miner kernel %s, %.2f s x %d rounds, load average "
        "before %s\n\n",
        all, std::string(to_string(impl)).c_str(), std::string(to_string(best_miner_kernel())).c_str(), seconds, rounds,
        load_average().c_str());
    std::vector<Figures> all_rounds;
    for (int r = 0; r < rounds; ++r) {
        Figures f;
        f.compress_independent = compress_rate(impl, seconds);
        f.compress_chained = chained_compress_rate(impl, seconds);
        f.compress_multi = multi_block_rate(impl, seconds);
        f.todays_kernel = todays_kernel_rate(seconds);
        f.loop_scalar = kernel_loop_rate(MinerKernel::scalar, seconds);
        f.loop_avx2 = kernel_loop_rate(MinerKernel::avx2, seconds);
        f.loop_shani1 = kernel_loop_rate(MinerKernel::shani1, seconds);
        f.loop_shani2 = kernel_loop_rate(MinerKernel::shani2, seconds);
        f.loop_shani4 = kernel_loop_rate(MinerKernel::shani4, seconds);
        f.miner_one = miner_rate(1, seconds);
        f.miner_all = miner_rate(0, seconds);
        f.miner_scalar = miner_rate(1, seconds, MinerKernel::scalar);
        f.miner_avx2 = miner_rate(1, seconds, MinerKernel::avx2);
        f.sodium_one = sodium_verify_rate(batch, seconds);
        f.queue_one = queue_verify_rate(queue_one, batch, seconds);
        f.queue_all = queue_verify_rate(queue_all, batch, seconds);
        all_rounds.push_back(f);
    }
    print_report(all_rounds, all, impl);
    std::printf("\nload average after %s\n", load_average().c_str());
    return 0;
}
