// Private: the miner kernels' entry points. Each kernel lives in its own
// source file compiled with its own target flags (-mavx2, -msha -msse4.1), so
// the rest of libchain stays on the baseline ISA. Those files include only
// this header and sha256_k.hpp (plain data and declarations): any inline
// function they instantiated could be emitted with AVX2 or SHA instructions
// and picked by the linker for baseline code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace chainkit::chain::detail {

// `words` is NonceScanner's layout: words[0..7] the midstate, [8..15] the
// state after rounds 0..3 of the second block, [16..19] its words 0..3.
// Words 4 and 5 are the nonce's bytes read big-endian, word 6 is the 0x80
// pad, 7..14 zero, 15 the length in bits (704): the same for every header.
inline constexpr std::size_t SCAN_MIDSTATE = 0, SCAN_AFTER_ROUND_3 = 8, SCAN_FIXED_WORDS = 16;
inline constexpr std::uint32_t SCAN_PAD_WORD = 0x80000000;  // word 6
inline constexpr std::uint32_t SCAN_LENGTH_WORD = 704;      // word 15: 88 bytes

// Offset of the first nonce in [first, first + count) (mod 2^64) whose
// digest word 0 is <= target_top, else count.
using ScanFn = std::uint64_t (*)(const std::uint32_t* words, std::uint64_t first, std::uint64_t count,
                                 std::uint32_t target_top) noexcept;
// The eight state words of each nonce first .. first + count - 1, into
// out[8 * i .. 8 * i + 7].
using StatesFn = void (*)(const std::uint32_t* words, std::uint64_t first, std::size_t count,
                          std::uint32_t* out) noexcept;

// Portable (mining_kernel_scalar.cpp).
std::uint64_t scan_scalar(const std::uint32_t*, std::uint64_t, std::uint64_t, std::uint32_t) noexcept;
void states_scalar(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept;
// Rounds 0..3 of the second block: fills words[8..15] from [0..7], [16..19].
void prepare_after_round_3(std::uint32_t* words) noexcept;

// CPUID and XGETBV: AVX2 usable (mining_kernel.cpp, baseline ISA).
[[nodiscard]] bool cpu_has_avx2() noexcept;
// AVX2, eight nonces per step (mining_kernel_avx2.cpp); only if cpu_has_avx2().
std::uint64_t scan_avx2(const std::uint32_t*, std::uint64_t, std::uint64_t, std::uint32_t) noexcept;
void states_avx2(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept;

// SHA-NI, 1, 2 or 4 nonces at a time (mining_kernel_shani.cpp); call only
// if cpu_has_shani() (sha256_shani.hpp).
std::uint64_t scan_shani1(const std::uint32_t*, std::uint64_t, std::uint64_t, std::uint32_t) noexcept;
std::uint64_t scan_shani2(const std::uint32_t*, std::uint64_t, std::uint64_t, std::uint32_t) noexcept;
std::uint64_t scan_shani4(const std::uint32_t*, std::uint64_t, std::uint64_t, std::uint32_t) noexcept;
void states_shani1(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept;
void states_shani2(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept;
void states_shani4(const std::uint32_t*, std::uint64_t, std::size_t, std::uint32_t*) noexcept;

}  // namespace chainkit::chain::detail
