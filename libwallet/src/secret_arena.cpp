#include "secret_arena.hpp"

#include <sodium.h>

#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace chainkit::wallet::detail {
namespace {

constexpr std::size_t SLOTS_PER_CHUNK = 1024;  // 64 KiB of keys per mapping
constexpr std::size_t CHUNK_SIZE = SLOTS_PER_CHUNK * SECRET_SLOT_SIZE;

struct Chunk {
    std::vector<std::uint16_t> free;  // indices of free slots
};

class Arena {
public:
    std::uint8_t* alloc() {
        std::lock_guard lock(m_mutex);
        auto it = m_chunks.find(m_hint);
        if (it == m_chunks.end() || it->second.free.empty()) it = chunk_with_room();
        if (it == m_chunks.end()) return nullptr;
        m_hint = it->first;
        const auto slot = it->second.free.back();
        it->second.free.pop_back();
        return it->first + std::size_t{slot} * SECRET_SLOT_SIZE;
    }

    void free(std::uint8_t* p) {
        sodium_memzero(p, SECRET_SLOT_SIZE);
        std::lock_guard lock(m_mutex);
        // The chunk holding p is the last one starting at or before it.
        auto it = m_chunks.upper_bound(p);
        --it;
        it->second.free.push_back(static_cast<std::uint16_t>((p - it->first) / SECRET_SLOT_SIZE));
        if (it->second.free.size() == SLOTS_PER_CHUNK && m_chunks.size() > 1) {
            sodium_free(it->first);
            if (m_hint == it->first) m_hint = nullptr;
            m_chunks.erase(it);
        }
    }

    std::size_t chunks() {
        std::lock_guard lock(m_mutex);
        return m_chunks.size();
    }

private:
    using Chunks = std::map<std::uint8_t*, Chunk, std::less<>>;

    Chunks::iterator chunk_with_room() {
        for (auto it = m_chunks.begin(); it != m_chunks.end(); ++it)
            if (!it->second.free.empty()) return it;
        if (sodium_init() < 0) return m_chunks.end();
        auto* base = static_cast<std::uint8_t*>(sodium_malloc(CHUNK_SIZE));
        if (base == nullptr) return m_chunks.end();
        sodium_memzero(base, CHUNK_SIZE);  // sodium_malloc fills with garbage bytes
        Chunk c;
        c.free.reserve(SLOTS_PER_CHUNK);
        for (std::size_t i = SLOTS_PER_CHUNK; i-- > 0;) c.free.push_back(static_cast<std::uint16_t>(i));
        return m_chunks.emplace(base, std::move(c)).first;
    }

    std::mutex m_mutex;
    Chunks m_chunks;
    std::uint8_t* m_hint = nullptr;
};

// Never destroyed: keys held by other static objects may be freed after
// this translation unit's statics are gone.
Arena& arena() {
    static auto* a = new Arena;
    return *a;
}

}  // namespace

std::uint8_t* secret_slot_alloc() noexcept {
    try {
        return arena().alloc();
    } catch (const std::bad_alloc&) {  // the chunk map or a free list could not grow
        return nullptr;
    }
}

void secret_slot_free(std::uint8_t* p) noexcept {
    if (p != nullptr) arena().free(p);
}

std::size_t secret_arena_chunks() noexcept {
    return arena().chunks();
}

}  // namespace chainkit::wallet::detail
