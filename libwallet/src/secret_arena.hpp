// Fixed-size slots for secret keys, carved out of a few large sodium_malloc'd
// chunks (guard pages around each chunk, locked where the OS allows, wiped
// on free). sodium_malloc gives every allocation its own mappings, about
// three per call: one mapping per key exhausted Linux's default
// vm.max_map_count (65530) near 20,000 keys. A chunk holds 1,024 keys.
// Thread-safe (one mutex); slots outlive no process.
#pragma once

#include <cstddef>
#include <cstdint>

namespace chainkit::wallet::detail {

inline constexpr std::size_t SECRET_SLOT_SIZE = 64;

// A zeroed slot of SECRET_SLOT_SIZE bytes, or nullptr when the OS refuses
// the memory.
[[nodiscard]] std::uint8_t* secret_slot_alloc() noexcept;
// Wipes the slot and gives it back; a chunk left empty is unmapped unless it
// is the last one. `p` may be nullptr.
void secret_slot_free(std::uint8_t* p) noexcept;
// Chunks currently mapped (for tests).
[[nodiscard]] std::size_t secret_arena_chunks() noexcept;

}  // namespace chainkit::wallet::detail
