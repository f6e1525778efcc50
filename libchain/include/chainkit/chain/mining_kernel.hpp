// The miner's inner loop: SHA-256 kernels that hash many nonces of one header
// template, and their run-time dispatch.
//
// Every try hashes the same first 64 header bytes (the midstate) and a second
// block whose only varying words are the nonce's (header bytes 80..87, words
// 4 and 5); words 0..3 (merkle tail, time, bits) are fixed per timestamp, so
// rounds 0..3 are done once too, and words 6..15 are padding constants the
// kernels fold in. The kernels:
//   scalar  portable C++, one nonce at a time (the fallback on any CPU);
//   avx2    eight nonces in the lanes of 256-bit registers;
//   shani1  SHA-NI, one nonce at a time, every constant in registers;
//   shani2, shani4  SHA-NI over 2 or 4 nonces at once, their instructions
//           interleaved to hide sha256rnds2's latency.
// `automatic` is the fastest available: shani2, or shani4 where it is at
// least 5 % faster (timed once per process, about 4 ms, as register pressure
// decides it per compiler and CPU), else avx2, else scalar. The CPU is
// probed with CPUID once.
//
// Thread-safety: the free functions are thread-safe; NonceScanner is a value
// type (thread-compatible): give each thread its own copy.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/sha256.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chainkit::chain {

enum class MinerKernel { automatic, scalar, avx2, shani1, shani2, shani4 };

// "auto", "scalar", "avx2", "shani1", "shani2", "shani4".
[[nodiscard]] std::string_view to_string(MinerKernel k);
[[nodiscard]] std::optional<MinerKernel> parse_miner_kernel(std::string_view name);
// Whether this CPU (and OS, for AVX state) can run `k`; `automatic` always.
[[nodiscard]] bool miner_kernel_available(MinerKernel k) noexcept;
// The kernel `automatic` stands for on this machine (never `automatic`).
[[nodiscard]] MinerKernel best_miner_kernel() noexcept;
// Every concrete kernel this CPU can run, the scalar one first.
[[nodiscard]] std::vector<MinerKernel> available_miner_kernels();

// Hashes the headers of a template over ranges of nonces with one kernel.
class NonceScanner {
public:
    // `automatic` or a kernel this CPU cannot run selects best_miner_kernel().
    explicit NonceScanner(const BlockHeader& tmpl, MinerKernel kernel = MinerKernel::automatic) noexcept;

    void set_time(std::int64_t time) noexcept;
    [[nodiscard]] MinerKernel kernel() const noexcept { return m_kernel; }

    // Tries nonces first, first + 1, ... (mod 2^64), `count` of them, and
    // returns the offset of the first whose hash (read big-endian, as the
    // proof-of-work check does) has its most significant 32 bits <=
    // `target_top`, or `count` if none does: the early reject; the caller
    // checks the whole target on a candidate.
    [[nodiscard]] std::uint64_t scan(std::uint64_t first, std::uint64_t count, std::uint32_t target_top) const noexcept;
    // The SHA-256 states (digest word i is state[i]) of the header with
    // nonces first .. first + count - 1, by this kernel.
    void states(std::uint64_t first, Sha256State* out, std::size_t count) const noexcept;

    // Layout of m_words, which the kernels read: the midstate, the state after
    // rounds 0..3 of the second block, then the second block's words 0..3.
    static constexpr std::size_t MIDSTATE = 0, AFTER_ROUND_3 = 8, FIXED_WORDS = 16, WORDS = 20;

private:
    alignas(32) std::array<std::uint32_t, WORDS> m_words{};
    MinerKernel m_kernel = MinerKernel::scalar;
};

}  // namespace chainkit::chain
