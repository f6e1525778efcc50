// The AVX2 miner kernel: eight nonces in the lanes of 256-bit registers,
// written with GCC vector types so the compiler folds the padding words and
// hoists what only depends on the midstate out of the nonce loop. Compiled
// with -mavx2 (libchain/CMakeLists.txt); everything here has internal
// linkage so no AVX2 code can stand in for a baseline function.
#include "mining_kernel_impl.hpp"
#include "sha256_k.hpp"

#if defined(__AVX2__)
#include <immintrin.h>

namespace chainkit::chain::detail {
namespace {

typedef std::uint32_t V8 __attribute__((vector_size(32)));
constexpr int LANES = 8;

inline V8 splat(std::uint32_t x) {
    return V8{} + x;
}

inline V8 rotr(V8 x, int n) {
    return (x >> n) | (x << (32 - n));
}

inline void round(V8* s, V8 k_plus_w) {
    const V8 a = s[0], e = s[4];
    const V8 t1 = s[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & s[5]) ^ (~e & s[6])) + k_plus_w;
    const V8 t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & s[1]) | (s[2] & (a | s[1])));
    s[7] = s[6];
    s[6] = s[5];
    s[5] = e;
    s[4] = s[3] + t1;
    s[3] = s[2];
    s[2] = s[1];
    s[1] = a;
    s[0] = t1 + t2;
}

// The nonce words (4 and 5) of lanes first .. first + 7.
inline void nonce_words(std::uint64_t first, V8& w4, V8& w5) {
    alignas(32) std::uint32_t lo[LANES], hi[LANES];
    for (int i = 0; i < LANES; ++i) {
        const std::uint64_t nonce = first + static_cast<std::uint64_t>(i);
        lo[i] = __builtin_bswap32(static_cast<std::uint32_t>(nonce));
        hi[i] = __builtin_bswap32(static_cast<std::uint32_t>(nonce >> 32));
    }
    __builtin_memcpy(&w4, lo, sizeof w4);
    __builtin_memcpy(&w5, hi, sizeof w5);
}

// Final state words 0 .. OUT-1 of eight nonces starting at `first`. Inlined
// so the state never leaves registers and no call needs a vzeroupper.
template <int OUT>
[[gnu::always_inline]] inline void hash8(const std::uint32_t* words, std::uint64_t first, V8* out) {
    V8 w[64];
    for (int i = 0; i < 4; ++i) w[i] = splat(words[SCAN_FIXED_WORDS + i]);
    nonce_words(first, w[4], w[5]);
    w[6] = splat(SCAN_PAD_WORD);
    for (int i = 7; i < 15; ++i) w[i] = V8{};
    w[15] = splat(SCAN_LENGTH_WORD);
#pragma GCC unroll 48
    for (int i = 16; i < 64; ++i) {
        const V8 s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const V8 s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    V8 s[8];
    for (int i = 0; i < 8; ++i) s[i] = splat(words[SCAN_AFTER_ROUND_3 + i]);
#pragma GCC unroll 60
    for (int i = 4; i < 64; ++i) round(s, w[i] + SHA256_K[i]);
    for (int i = 0; i < OUT; ++i) out[i] = s[i] + words[SCAN_MIDSTATE + i];
}

// Leaves the upper halves of the ymm registers clean on every return: SSE
// code (the SHA-NI kernels, libc) run after a dirty upper state pays the
// AVX/SSE transition penalty on many CPUs.
struct ZeroUpperOnExit {
    ~ZeroUpperOnExit() { _mm256_zeroupper(); }
};

}  // namespace

std::uint64_t scan_avx2(const std::uint32_t* words, std::uint64_t first, std::uint64_t count,
                        std::uint32_t target_top) noexcept {
    ZeroUpperOnExit clean;
    if (count == 0) return 0;
    const V8 top = splat(target_top);
    for (std::uint64_t off = 0;; off += LANES) {
        V8 a;
        hash8<1>(words, first + off, &a);
        const auto below = a <= top;  // all ones in each lane at or under the target's top word
        const int bits = _mm256_movemask_ps(reinterpret_cast<__m256>(below));
        if (bits != 0) {
            const auto lane = static_cast<std::uint64_t>(__builtin_ctz(static_cast<unsigned>(bits)));
            return lane < count - off ? off + lane : count;
        }
        if (count - off <= LANES) return count;
    }
}

void states_avx2(const std::uint32_t* words, std::uint64_t first, std::size_t count, std::uint32_t* out) noexcept {
    ZeroUpperOnExit clean;
    for (std::size_t off = 0; off < count; off += LANES) {
        V8 s[8];
        hash8<8>(words, first + off, s);
        for (std::size_t lane = 0; lane < LANES && off + lane < count; ++lane)
            for (int i = 0; i < 8; ++i) out[8 * (off + lane) + static_cast<std::size_t>(i)] = s[i][lane];
    }
}

}  // namespace chainkit::chain::detail

#else

namespace chainkit::chain::detail {
// Built without AVX2 (not x86): cpu_has_avx2() is false, these never run.
std::uint64_t scan_avx2(const std::uint32_t*, std::uint64_t, std::uint64_t count, std::uint32_t) noexcept {
    return count;
}
void states_avx2(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept {}
}  // namespace chainkit::chain::detail

#endif
