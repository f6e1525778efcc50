// Merkle root over wtxids (hashes of each transaction's full encoding,
// signatures included, so the header commits to every byte of the body):
// pairwise SHA-256 of the concatenated children, the last node of an odd
// level paired with itself (Bitcoin's layout, single SHA-256 as everywhere
// in this chain). No transaction encodes to 64 bytes (one input alone is
// 132), so a leaf can never pose as an inner node.
#pragma once

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/hash.hpp"

#include <span>

namespace chainkit::chain {

// Root of `leaves` (zero hash for none). If `mutated` is given, it is set when
// some level has two identical adjacent nodes: such a list has the same root
// as a different list of transactions (CVE-2012-2459), so a block whose tx
// list is mutated must be rejected without marking its hash invalid.
[[nodiscard]] Hash256 merkle_root(std::span<const WtxId> leaves, bool* mutated = nullptr);
[[nodiscard]] Hash256 block_merkle_root(const Block& block, bool* mutated = nullptr);

}  // namespace chainkit::chain
