// Memory for secrets: buffers that are wiped (sodium_memzero) before they
// are released, including the old buffer when a vector grows. Value types;
// thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace chainkit::wallet {

// Wipes `n` bytes at `p` in a way the compiler cannot elide.
void secure_wipe(void* p, std::size_t n) noexcept;

template <class T>
struct SecureAllocator {
    using value_type = T;
    SecureAllocator() noexcept = default;
    template <class U>
    SecureAllocator(const SecureAllocator<U>&) noexcept {}  // NOLINT: allocator rebind

    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        secure_wipe(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U>
    friend bool operator==(const SecureAllocator&, const SecureAllocator<U>&) noexcept {
        return true;
    }
};

// Bytes that may hold secrets (serialized keys, plaintext wallet records).
using SecureBytes = std::vector<std::uint8_t, SecureAllocator<std::uint8_t>>;

}  // namespace chainkit::wallet
