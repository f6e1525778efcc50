// Private: the SHA-NI compression kernel and the CPU feature probe.
#pragma once

#include "chainkit/chain/sha256.hpp"

#include "sha256_k.hpp"

namespace chainkit::chain::detail {

[[nodiscard]] bool cpu_has_shani() noexcept;
// Requires cpu_has_shani().
void compress_shani(Sha256State& state, const std::uint8_t* data, std::size_t blocks);

}  // namespace chainkit::chain::detail
