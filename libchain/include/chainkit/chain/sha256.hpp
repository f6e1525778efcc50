// SHA-256, with the fastest compression function this CPU offers.
//
// The implementation (SHA-NI intrinsics where the CPU has the SHA extensions,
// a portable one otherwise) is chosen once at run time; every path gives the
// same digests. All functions are thread-safe.
#pragma once

#include "chainkit/chain/bytes.hpp"
#include "chainkit/chain/hash.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace chainkit::chain {

using Sha256State = std::array<std::uint32_t, 8>;

inline constexpr Sha256State SHA256_INITIAL_STATE = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

enum class Sha256Impl { portable, shani };

// Compresses `blocks` consecutive 64-byte blocks into `state`.
void sha256_compress(Sha256State& state, const std::uint8_t* data, std::size_t blocks);
// The same with an explicit implementation (tests and benchmarks compare them).
// Calling `shani` on a CPU without SHA extensions is a logic error.
void sha256_compress(Sha256Impl impl, Sha256State& state, const std::uint8_t* data, std::size_t blocks);

[[nodiscard]] Sha256Impl sha256_best_impl() noexcept;
[[nodiscard]] bool sha256_shani_available() noexcept;
[[nodiscard]] std::string_view to_string(Sha256Impl impl);

// Incremental hasher.
class Sha256 {
public:
    Sha256& write(ByteSpan data);
    [[nodiscard]] Hash256 finalize();
    // State after whole 64-byte blocks only (the miner's midstate).
    [[nodiscard]] const Sha256State& state() const noexcept { return m_state; }
    [[nodiscard]] std::uint64_t bytes_written() const noexcept { return m_total; }

private:
    Sha256State m_state = SHA256_INITIAL_STATE;
    std::array<std::uint8_t, 64> m_buf{};
    std::size_t m_buf_len = 0;
    std::uint64_t m_total = 0;
};

[[nodiscard]] Hash256 sha256(ByteSpan data);
[[nodiscard]] Hash256 sha256d(ByteSpan data);  // SHA-256 of SHA-256 (address checksums)

// Writes the big-endian digest of `state` into `out`.
void sha256_state_to_digest(const Sha256State& state, std::uint8_t* out);

}  // namespace chainkit::chain
