// The SHA-NI miner kernels: N nonces per step (1, 2 or 4). sha256rnds2 has a
// latency of several cycles but issues more often, so one stream leaves the
// unit idle; N independent streams, each round group emitted for every stream
// in turn, keep it busy. The midstate, the state after round 3 and the
// constant message words live in registers across the whole nonce loop.
// Compiled with -msha -msse4.1 (libchain/CMakeLists.txt); everything here
// has internal linkage so no SHA-NI code can stand in for a baseline function.
#include "mining_kernel_impl.hpp"
#include "sha256_k.hpp"

#if defined(__SHA__) && defined(__SSE4_1__)
#include <immintrin.h>

namespace chainkit::chain::detail {
namespace {

// Two SHA-NI state registers from eight state words a..h.
struct Packed {
    __m128i abef;
    __m128i cdgh;
};

inline Packed pack(const std::uint32_t* s) {
    const __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)), 0xB1);
    const __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 4)), 0x1B);
    return {_mm_alignr_epi8(dcba, efgh, 8), _mm_blend_epi16(efgh, dcba, 0xF0)};
}

inline void unpack(__m128i abef, __m128i cdgh, std::uint32_t* out) {
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 4), _mm_alignr_epi8(dchg, feba, 8));
}

// What stays fixed over a scan, loaded once.
struct Fixed {
    Packed mid;     // the midstate, added at the end
    Packed round3;  // the state rounds 4.. start from
    __m128i w0_3;   // message words 0..3
};

inline Fixed load_fixed(const std::uint32_t* words) {
    return {pack(words + SCAN_MIDSTATE), pack(words + SCAN_AFTER_ROUND_3),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(words + SCAN_FIXED_WORDS))};
}

// Words 4..7 for `nonce`: its bytes read big-endian, then the 0x80 pad word.
inline __m128i nonce_group(std::uint64_t nonce) {
    const std::uint64_t w4_w5 = std::uint64_t{__builtin_bswap32(static_cast<std::uint32_t>(nonce))} |
                                std::uint64_t{__builtin_bswap32(static_cast<std::uint32_t>(nonce >> 32))} << 32;
    return _mm_set_epi64x(SCAN_PAD_WORD, static_cast<long long>(w4_w5));
}

// Rounds 4..63 of N nonces first .. first + N - 1, the midstate added to
// abef (and to cdgh when FULL).
template <int N, bool FULL>
inline void hash_n(const Fixed& f, std::uint64_t first, __m128i* abef, __m128i* cdgh) {
    __m128i w[N][4];
    for (int i = 0; i < N; ++i) {
        w[i][0] = f.w0_3;
        w[i][1] = nonce_group(first + static_cast<std::uint64_t>(i));
        w[i][2] = _mm_setzero_si128();
        w[i][3] = _mm_set_epi32(static_cast<int>(SCAN_LENGTH_WORD), 0, 0, 0);
        abef[i] = f.round3.abef;
        cdgh[i] = f.round3.cdgh;
    }
#pragma GCC unroll 15
    for (int j = 1; j < 16; ++j) {
        const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(&SHA256_K[4 * j]));
#pragma GCC unroll 4
        for (int i = 0; i < N; ++i) {
            __m128i m = w[i][j & 3];
            if (j >= 4) {
                const __m128i prev1 = w[i][(j + 3) & 3];
                const __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w[i][j & 3], w[i][(j + 1) & 3]),
                                                _mm_alignr_epi8(prev1, w[i][(j + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(t, prev1);
                w[i][j & 3] = m;
            }
            const __m128i kw = _mm_add_epi32(m, k);
            cdgh[i] = _mm_sha256rnds2_epu32(cdgh[i], abef[i], kw);
            abef[i] = _mm_sha256rnds2_epu32(abef[i], cdgh[i], _mm_shuffle_epi32(kw, 0x0E));
        }
    }
    for (int i = 0; i < N; ++i) {
        abef[i] = _mm_add_epi32(abef[i], f.mid.abef);
        if (FULL) cdgh[i] = _mm_add_epi32(cdgh[i], f.mid.cdgh);
    }
}

template <int N>
std::uint64_t scan_n(const std::uint32_t* words, std::uint64_t first, std::uint64_t count, std::uint32_t target_top) {
    if (count == 0) return 0;
    const Fixed f = load_fixed(words);
    for (std::uint64_t off = 0;; off += N) {
        __m128i abef[N], cdgh[N];
        hash_n<N, false>(f, first + off, abef, cdgh);
        // Digest word 0 is A, the top lane of ABEF. Lanes in nonce order, so
        // the first candidate is the earliest one.
        for (int i = 0; i < N; ++i) {
            if (static_cast<std::uint32_t>(_mm_extract_epi32(abef[i], 3)) <= target_top)
                return static_cast<std::uint64_t>(i) < count - off ? off + static_cast<std::uint64_t>(i) : count;
        }
        if (count - off <= N) return count;
    }
}

template <int N>
void states_n(const std::uint32_t* words, std::uint64_t first, std::size_t count, std::uint32_t* out) {
    const Fixed f = load_fixed(words);
    for (std::size_t off = 0; off < count; off += N) {
        __m128i abef[N], cdgh[N];
        hash_n<N, true>(f, first + off, abef, cdgh);
        alignas(16) std::uint32_t s[8];
        for (std::size_t i = 0; i < N && off + i < count; ++i) {
            unpack(abef[i], cdgh[i], s);
            for (std::size_t j = 0; j < 8; ++j) out[8 * (off + i) + j] = s[j];
        }
    }
}

}  // namespace

std::uint64_t scan_shani1(const std::uint32_t* w, std::uint64_t first, std::uint64_t count,
                          std::uint32_t top) noexcept {
    return scan_n<1>(w, first, count, top);
}
std::uint64_t scan_shani2(const std::uint32_t* w, std::uint64_t first, std::uint64_t count,
                          std::uint32_t top) noexcept {
    return scan_n<2>(w, first, count, top);
}
std::uint64_t scan_shani4(const std::uint32_t* w, std::uint64_t first, std::uint64_t count,
                          std::uint32_t top) noexcept {
    return scan_n<4>(w, first, count, top);
}
void states_shani1(const std::uint32_t* w, std::uint64_t first, std::size_t count, std::uint32_t* out) noexcept {
    states_n<1>(w, first, count, out);
}
void states_shani2(const std::uint32_t* w, std::uint64_t first, std::size_t count, std::uint32_t* out) noexcept {
    states_n<2>(w, first, count, out);
}
void states_shani4(const std::uint32_t* w, std::uint64_t first, std::size_t count, std::uint32_t* out) noexcept {
    states_n<4>(w, first, count, out);
}

}  // namespace chainkit::chain::detail

#else

namespace chainkit::chain::detail {
// Built without SHA-NI (not x86): cpu_has_shani() is false, these never run.
std::uint64_t scan_shani1(const std::uint32_t*, std::uint64_t, std::uint64_t count, std::uint32_t) noexcept {
    return count;
}
std::uint64_t scan_shani2(const std::uint32_t*, std::uint64_t, std::uint64_t count, std::uint32_t) noexcept {
    return count;
}
std::uint64_t scan_shani4(const std::uint32_t*, std::uint64_t, std::uint64_t count, std::uint32_t) noexcept {
    return count;
}
void states_shani1(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept {}
void states_shani2(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept {}
void states_shani4(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept {}
}  // namespace chainkit::chain::detail

#endif
