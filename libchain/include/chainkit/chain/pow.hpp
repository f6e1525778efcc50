// Proof of work: compact targets ("bits"), the target check and chain work.
//
// Compact form (Bitcoin's nBits): the high byte is a base-256 exponent E, the
// low 23 bits a mantissa M, bit 23 a sign. target = M * 256^(E-3). Negative,
// zero and overflowing encodings are invalid targets.
#pragma once

#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/uint256.hpp"

#include <cstdint>
#include <optional>

namespace chainkit::chain {

// std::nullopt for a negative, zero or over-256-bit target.
[[nodiscard]] std::optional<Uint256> decode_compact(std::uint32_t bits);
// Shortest compact encoding of `target` (rounds down to 23 mantissa bits).
[[nodiscard]] std::uint32_t encode_compact(const Uint256& target);

// True if `bits` is a valid target no easier than `pow_limit` and `hash`,
// read as a big-endian number, is at or below it.
[[nodiscard]] bool check_proof_of_work(const BlockHash& hash, std::uint32_t bits, const Uint256& pow_limit);

// Expected number of hashes to meet the target: 2^256 / (target + 1),
// computed as ~target / (target + 1) + 1 so it fits in 256 bits. Zero for an
// invalid target.
[[nodiscard]] Uint256 block_work(std::uint32_t bits);

}  // namespace chainkit::chain
