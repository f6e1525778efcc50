// The portable miner kernel: one nonce at a time, rounds 4..63 of the second
// block from the precomputed state after round 3, the padding words folded
// in as constants.
#include "mining_kernel_impl.hpp"
#include "sha256_k.hpp"

namespace chainkit::chain::detail {
namespace {

inline std::uint32_t rotr(std::uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

inline void round(std::uint32_t* s, std::uint32_t k_plus_w) {
    const std::uint32_t a = s[0], e = s[4];
    const std::uint32_t t1 = s[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & s[5]) ^ (~e & s[6])) + k_plus_w;
    const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & s[1]) ^ (a & s[2]) ^ (s[1] & s[2]));
    s[7] = s[6];
    s[6] = s[5];
    s[5] = e;
    s[4] = s[3] + t1;
    s[3] = s[2];
    s[2] = s[1];
    s[1] = a;
    s[0] = t1 + t2;
}

// The second block's words for `nonce`, padding included.
inline void message(const std::uint32_t* words, std::uint64_t nonce, std::uint32_t* w) {
    for (int i = 0; i < 4; ++i) w[i] = words[SCAN_FIXED_WORDS + i];
    w[4] = __builtin_bswap32(static_cast<std::uint32_t>(nonce));
    w[5] = __builtin_bswap32(static_cast<std::uint32_t>(nonce >> 32));
    w[6] = SCAN_PAD_WORD;
    for (int i = 7; i < 15; ++i) w[i] = 0;
    w[15] = SCAN_LENGTH_WORD;
}

// The final state (midstate added) of the header with `nonce`.
inline void hash_nonce(const std::uint32_t* words, std::uint64_t nonce, std::uint32_t* out) {
    std::uint32_t w[64];
    message(words, nonce, w);
    for (int i = 16; i < 64; ++i) {
        const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t s[8];
    for (int i = 0; i < 8; ++i) s[i] = words[SCAN_AFTER_ROUND_3 + i];
    for (int i = 4; i < 64; ++i) round(s, SHA256_K[i] + w[i]);
    for (int i = 0; i < 8; ++i) out[i] = s[i] + words[SCAN_MIDSTATE + i];
}

}  // namespace

void prepare_after_round_3(std::uint32_t* words) noexcept {
    std::uint32_t s[8];
    for (int i = 0; i < 8; ++i) s[i] = words[SCAN_MIDSTATE + i];
    for (int i = 0; i < 4; ++i) round(s, SHA256_K[i] + words[SCAN_FIXED_WORDS + i]);
    for (int i = 0; i < 8; ++i) words[SCAN_AFTER_ROUND_3 + i] = s[i];
}

std::uint64_t scan_scalar(const std::uint32_t* words, std::uint64_t first, std::uint64_t count,
                          std::uint32_t target_top) noexcept {
    std::uint32_t out[8];
    for (std::uint64_t i = 0; i < count; ++i) {
        hash_nonce(words, first + i, out);
        if (out[0] <= target_top) return i;
    }
    return count;
}

void states_scalar(const std::uint32_t* words, std::uint64_t first, std::size_t count, std::uint32_t* out) noexcept {
    for (std::size_t i = 0; i < count; ++i) hash_nonce(words, first + i, out + 8 * i);
}

}  // namespace chainkit::chain::detail
