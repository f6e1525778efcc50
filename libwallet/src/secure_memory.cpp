#include "chainkit/wallet/secure_memory.hpp"

#include <sodium.h>

namespace chainkit::wallet {

void secure_wipe(void* p, std::size_t n) noexcept {
    if (p != nullptr && n != 0) sodium_memzero(p, n);
}

}  // namespace chainkit::wallet
