// Proof-of-work search over a block header template.
//
// The 88-byte header puts everything a miner varies (time, nonce) in its last
// 24 bytes, so the first 64 bytes are compressed once (the midstate) and each
// try costs at most one SHA-256 compression of the second block, done by a
// multi-buffer kernel (mining_kernel.hpp) chosen at run time. Threads split
// the nonce space; a thread that exhausts its share bumps `time` by one second
// and starts its share again. The search reads no clock except a steady clock
// for its own elapsed time (the rate); timestamps come from the template.
//
// Thread-safety: HeaderHasher is a value type (thread-compatible).
// mine_header/mine_block are reentrant: each call owns its worker threads and
// joins them before returning; the calling thread searches too. They throw
// only std::system_error, when the system cannot start a thread.
// Interrupting on a new tip: run the search on a thread of its own (never on
// the network thread) with a std::stop_token; whoever learns of the new tip
// (a ChainObserver's on_tip_changed, on the chain worker) calls
// request_stop() on the matching std::stop_source, which returns at once;
// the search ends within a few thousand nonces per thread and reports no
// header. Nobody waits for it but the mining thread's owner.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/mining_kernel.hpp"
#include "chainkit/chain/sha256.hpp"
#include "chainkit/chain/uint256.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <stop_token>

namespace chainkit::chain {

// Hashes headers that differ from a template only in time and nonce, one
// compression call per header (the miner's kernel before the multi-buffer
// ones; kept for one-off hashes and as a benchmark reference).
class HeaderHasher {
public:
    explicit HeaderHasher(const BlockHeader& tmpl) noexcept;

    void set_time(std::int64_t time) noexcept;
    void set_nonce(std::uint64_t nonce) noexcept;
    // SHA-256 state after the second block: digest word i is state[i]
    // (big-endian), so state[0] holds the hash's most significant 32 bits.
    void compress(Sha256Impl impl, Sha256State& out) const noexcept {
        out = m_midstate;
        sha256_compress(impl, out, m_tail.data(), 1);
    }
    // Block hash of the template with the current time and nonce; equals
    // BlockHeader::hash() of that header.
    [[nodiscard]] BlockHash hash() const noexcept;

private:
    Sha256State m_midstate{};
    // Header bytes 64..87, the 0x80 pad byte, zeros, the bit length 704.
    alignas(16) std::array<std::uint8_t, 64> m_tail{};
};

// Upper bound on search threads: a user-supplied count above it is clamped.
inline constexpr unsigned MAX_MINER_THREADS = 256;

struct MinerOptions {
    // Search threads; 0 means one per hardware thread (at most MAX_MINER_THREADS).
    unsigned threads = 0;
    // Nonces tried per timestamp across all threads before each thread bumps
    // time by one; 0 means the whole 64-bit space (tests set it small to
    // exercise the time bump).
    std::uint64_t nonces_per_time = 0;
    // The hashing kernel; `automatic` is best_miner_kernel(), and a kernel
    // this CPU cannot run falls back to it (MineResult::kernel tells).
    MinerKernel kernel = MinerKernel::automatic;
};

struct MineResult {
    std::optional<BlockHeader> header;            // a header meeting its bits' target; none if cancelled
    std::uint64_t tries = 0;                      // compressions done by all threads
    double seconds = 0;                           // wall time of the search
    MinerKernel kernel = MinerKernel::automatic;  // the kernel that ran
    unsigned threads = 0;                         // the threads that searched

    [[nodiscard]] double nonces_per_second() const noexcept {
        return seconds > 0 ? static_cast<double>(tries) / seconds : 0.0;
    }
};

// What search_nonces found: the nonces tried, and the first meeting the target.
struct NonceSearch {
    std::uint64_t tries = 0;
    std::optional<std::uint64_t> hit;
};

// Tries nonces first, first + 1, ... (mod 2^64), `count` of them, in order,
// with `scanner` at its current time, and stops at the first whose hash
// (read big-endian) is <= `target`: the kernel's early reject on the first
// digest word, then the whole comparison on each candidate. The miner's
// inner step; `target` need not be a compact one.
[[nodiscard]] NonceSearch search_nonces(const NonceScanner& scanner, std::uint64_t first, std::uint64_t count,
                                        const Uint256& target) noexcept;

// Searches from tmpl.nonce (thread i starts at share i of the nonce space)
// until a header whose hash meets the target encoded in tmpl.bits is found or
// `stop` is requested (checked every few thousand nonces per thread). Invalid
// bits return at once with no header. Only time and nonce ever change.
[[nodiscard]] MineResult mine_header(const BlockHeader& tmpl, const MinerOptions& opts = {}, std::stop_token stop = {});

// Mines `block` in place: on success block.header is the found header.
MineResult mine_block(Block& block, const MinerOptions& opts = {}, std::stop_token stop = {});

}  // namespace chainkit::chain
