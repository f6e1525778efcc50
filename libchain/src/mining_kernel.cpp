#include "chainkit/chain/mining_kernel.hpp"

#include "mining_kernel_impl.hpp"
#include "sha256_shani.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace chainkit::chain {
namespace detail {

bool cpu_has_avx2() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    // The OS must save the ymm registers (OSXSAVE, then XCR0 bits 1 and 2).
    if ((c & bit_OSXSAVE) == 0 || (c & bit_AVX) == 0) return false;
    unsigned xcr0_lo = 0, xcr0_hi = 0;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6) != 6) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return (b & bit_AVX2) != 0;
#else
    return false;
#endif
}

}  // namespace detail

namespace {

static_assert(NonceScanner::MIDSTATE == detail::SCAN_MIDSTATE &&
              NonceScanner::AFTER_ROUND_3 == detail::SCAN_AFTER_ROUND_3 &&
              NonceScanner::FIXED_WORDS == detail::SCAN_FIXED_WORDS);

struct KernelFns {
    detail::ScanFn scan;
    detail::StatesFn states;
};

KernelFns kernel_fns(MinerKernel k) noexcept {
    switch (k) {
        case MinerKernel::avx2:
            return {detail::scan_avx2, detail::states_avx2};
        case MinerKernel::shani1:
            return {detail::scan_shani1, detail::states_shani1};
        case MinerKernel::shani2:
            return {detail::scan_shani2, detail::states_shani2};
        case MinerKernel::shani4:
            return {detail::scan_shani4, detail::states_shani4};
        case MinerKernel::automatic:
        case MinerKernel::scalar:
            break;
    }
    return {detail::scan_scalar, detail::states_scalar};
}

bool avx2_available() noexcept {
    static const bool available = detail::cpu_has_avx2();
    return available;
}

// Seconds for one scan of `nonces` nonces of a fixed header.
double time_scan(const NonceScanner& scanner, std::uint64_t first, std::uint64_t nonces) {
    const auto start = std::chrono::steady_clock::now();
    // Target top 0: (almost) every nonce is rejected, the whole range runs.
    const std::uint64_t stop = scanner.scan(first, nonces, 0);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stop == nonces ? s : 1e9;
}

// Register pressure decides between 2 and 4 streams (4 need more than the 16
// xmm registers SHA-NI instructions can name, so the compiler spills), and
// the CPU's sha256rnds2 latency and throughput decide whether 4 gain
// anything: time both once, about 4 ms, in short runs taken in turn so both
// see the same mix of outside load, and compare the medians. 4 streams must
// win by 5 % to be chosen: they spill, and when the core is shared their
// extra loads and stores cost more (on the benchmark machine, an AMD EPYC
// with GCC 12, idle runs favour 4 streams by ~3 %, busy ones either, by up
// to 30 %).
// The one clock read of libchain outside the miner's own rate.
MinerKernel fastest_shani() {
    constexpr std::uint64_t NONCES = 4096;
    constexpr std::size_t RUNS = 21;
    const NonceScanner two(BlockHeader{}, MinerKernel::shani2);
    const NonceScanner four(BlockHeader{}, MinerKernel::shani4);
    std::array<double, RUNS> t2{}, t4{};
    for (std::size_t run = 0; run < RUNS; ++run) {
        t2[run] = time_scan(two, run * NONCES, NONCES);
        t4[run] = time_scan(four, run * NONCES, NONCES);
    }
    std::nth_element(t2.begin(), t2.begin() + RUNS / 2, t2.end());
    std::nth_element(t4.begin(), t4.begin() + RUNS / 2, t4.end());
    return t4[RUNS / 2] * 1.05 < t2[RUNS / 2] ? MinerKernel::shani4 : MinerKernel::shani2;
}

}  // namespace

std::string_view to_string(MinerKernel k) {
    switch (k) {
        case MinerKernel::automatic:
            return "auto";
        case MinerKernel::scalar:
            return "scalar";
        case MinerKernel::avx2:
            return "avx2";
        case MinerKernel::shani1:
            return "shani1";
        case MinerKernel::shani2:
            return "shani2";
        case MinerKernel::shani4:
            return "shani4";
    }
    return "unknown";
}

std::optional<MinerKernel> parse_miner_kernel(std::string_view name) {
    for (const auto k : {MinerKernel::automatic, MinerKernel::scalar, MinerKernel::avx2, MinerKernel::shani1,
                         MinerKernel::shani2, MinerKernel::shani4})
        if (name == to_string(k)) return k;
    return std::nullopt;
}

bool miner_kernel_available(MinerKernel k) noexcept {
    switch (k) {
        case MinerKernel::automatic:
        case MinerKernel::scalar:
            return true;
        case MinerKernel::avx2:
            return avx2_available();
        case MinerKernel::shani1:
        case MinerKernel::shani2:
        case MinerKernel::shani4:
            return sha256_shani_available();
    }
    return false;
}

MinerKernel best_miner_kernel() noexcept {
    static const MinerKernel best = sha256_shani_available() ? fastest_shani()
                                    : avx2_available()       ? MinerKernel::avx2
                                                             : MinerKernel::scalar;
    return best;
}

std::vector<MinerKernel> available_miner_kernels() {
    std::vector<MinerKernel> out;
    for (const auto k :
         {MinerKernel::scalar, MinerKernel::avx2, MinerKernel::shani1, MinerKernel::shani2, MinerKernel::shani4})
        if (miner_kernel_available(k)) out.push_back(k);
    return out;
}

NonceScanner::NonceScanner(const BlockHeader& tmpl, MinerKernel kernel) noexcept
    : m_kernel(kernel == MinerKernel::automatic || !miner_kernel_available(kernel) ? best_miner_kernel() : kernel) {
    const auto bytes = tmpl.encode();
    Sha256State mid = SHA256_INITIAL_STATE;
    sha256_compress(mid, bytes.data(), 1);
    std::copy(mid.begin(), mid.end(), m_words.begin() + MIDSTATE);
    for (std::size_t i = 0; i < 4; ++i) {
        const std::uint8_t* p = bytes.data() + 64 + 4 * i;
        m_words[FIXED_WORDS + i] =
            std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
    }
    detail::prepare_after_round_3(m_words.data());
}

void NonceScanner::set_time(std::int64_t time) noexcept {
    // Time is header bytes 68..75 (little-endian), second-block words 1 and 2.
    const auto t = static_cast<std::uint64_t>(time);
    m_words[FIXED_WORDS + 1] = __builtin_bswap32(static_cast<std::uint32_t>(t));
    m_words[FIXED_WORDS + 2] = __builtin_bswap32(static_cast<std::uint32_t>(t >> 32));
    detail::prepare_after_round_3(m_words.data());
}

std::uint64_t NonceScanner::scan(std::uint64_t first, std::uint64_t count, std::uint32_t target_top) const noexcept {
    return kernel_fns(m_kernel).scan(m_words.data(), first, count, target_top);
}

void NonceScanner::states(std::uint64_t first, Sha256State* out, std::size_t count) const noexcept {
    // In chunks through a flat buffer: the kernels write plain words.
    constexpr std::size_t CHUNK = 8;
    std::uint32_t buf[8 * CHUNK];
    const auto fn = kernel_fns(m_kernel).states;
    for (std::size_t done = 0; done < count;) {
        const std::size_t n = std::min(CHUNK, count - done);
        fn(m_words.data(), first + done, n, buf);
        for (std::size_t i = 0; i < n; ++i) std::copy(buf + 8 * i, buf + 8 * i + 8, out[done + i].begin());
        done += n;
    }
}

}  // namespace chainkit::chain
