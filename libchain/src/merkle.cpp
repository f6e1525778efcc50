#include "chainkit/chain/merkle.hpp"

#include "chainkit/chain/sha256.hpp"

#include <array>
#include <cstring>
#include <vector>

namespace chainkit::chain {

Hash256 merkle_root(std::span<const WtxId> leaves, bool* mutated) {
    bool mutation = false;
    if (leaves.empty()) {
        if (mutated) *mutated = false;
        return {};
    }
    std::vector<Hash256> level;
    level.reserve(leaves.size() + 1);  // room for an odd tail's copy
    for (const auto& id : leaves) level.push_back(hash_cast<Hash256>(id));
    while (level.size() > 1) {
        // Identical siblings in the original list (not the self-paired odd
        // tail) are the only way two different lists share a root.
        for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
            if (level[i] == level[i + 1]) mutation = true;
        }
        if (level.size() % 2 != 0) level.push_back(level.back());
        // Parents overwrite the front of the level: node i is written after
        // nodes 2i and 2i+1 are read, so one buffer serves every level.
        const std::size_t parents = level.size() / 2;
        for (std::size_t i = 0; i < parents; ++i) {
            std::array<std::uint8_t, 64> pair{};
            std::memcpy(pair.data(), level[2 * i].data(), 32);
            std::memcpy(pair.data() + 32, level[2 * i + 1].data(), 32);
            level[i] = sha256(pair);
        }
        level.resize(parents);
    }
    if (mutated) *mutated = mutation;
    return level[0];
}

Hash256 block_merkle_root(const Block& block, bool* mutated) {
    std::vector<WtxId> ids;
    ids.reserve(block.txs.size());
    for (const auto& tx : block.txs) ids.push_back(tx.wtxid());
    return merkle_root(ids, mutated);
}

}  // namespace chainkit::chain
