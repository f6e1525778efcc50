// SHA-256 compression with the x86 SHA extensions (SHA-NI). Each sha256rnds2
// does two rounds; the message schedule for group j (rounds 4j..4j+3) is
// msg2(msg1(W[j-4], W[j-3]) + alignr(W[j-1], W[j-2]), W[j-1]).
#include "sha256_shani.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

namespace chainkit::chain::detail {

bool cpu_has_shani() noexcept {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    const bool ssse3_sse41 = (c & bit_SSSE3) && (c & bit_SSE4_1);
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return ssse3_sse41 && (b & bit_SHA);
}

__attribute__((target("sha,ssse3,sse4.1"))) void compress_shani(Sha256State& state, const std::uint8_t* data,
                                                                std::size_t blocks) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
    __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                // CDAB
    state1 = _mm_shuffle_epi32(state1, 0x1B);          // EFGH
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH

    for (; blocks > 0; --blocks, data += 64) {
        const __m128i abef_save = state0;
        const __m128i cdgh_save = state1;
        __m128i w[4];
#pragma GCC unroll 16
        for (int j = 0; j < 16; ++j) {
            __m128i m;
            if (j < 4) {
                m = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * j)), byte_swap);
            } else {
                const __m128i prev1 = w[(j + 3) & 3];
                const __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w[j & 3], w[(j + 1) & 3]),
                                                _mm_alignr_epi8(prev1, w[(j + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(t, prev1);
            }
            w[j & 3] = m;
            __m128i k = _mm_add_epi32(m, _mm_load_si128(reinterpret_cast<const __m128i*>(&SHA256_K[4 * j])));
            state1 = _mm_sha256rnds2_epu32(state1, state0, k);
            k = _mm_shuffle_epi32(k, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, k);
        }
        state0 = _mm_add_epi32(state0, abef_save);
        state1 = _mm_add_epi32(state1, cdgh_save);
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
    state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
    state1 = _mm_alignr_epi8(state1, tmp, 8);     // HGFE
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), state0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), state1);
}

}  // namespace chainkit::chain::detail

#else

namespace chainkit::chain::detail {
// Not an x86 CPU: the portable compression is the only one.
bool cpu_has_shani() noexcept {
    return false;
}
void compress_shani(Sha256State&, const std::uint8_t*, std::size_t) {}
}  // namespace chainkit::chain::detail

#endif
