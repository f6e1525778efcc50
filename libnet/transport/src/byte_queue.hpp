#pragma once
// A FIFO of bytes for socket, frame and stream buffers: appended at the back,
// consumed from the front. Unlike std::vector::resize, making room never
// zero-fills (every received or encrypted byte would otherwise be written
// twice), and consumed space is reused by sliding the unread bytes to the
// front only when that is cheaper than growing. Not thread-safe.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace chainkit::net::detail {

class ByteQueue {
public:
    std::size_t size() const noexcept { return m_end - m_begin; }
    bool empty() const noexcept { return m_end == m_begin; }
    std::size_t capacity() const noexcept { return m_cap; }
    std::span<const std::uint8_t> bytes() const noexcept { return {m_buf.get() + m_begin, size()}; }
    std::span<std::uint8_t> mutable_bytes() noexcept { return {m_buf.get() + m_begin, size()}; }

    /// At least `n` writable, uninitialised bytes after the unread ones, never
    /// at a null address (even for n = 0); valid until the next call that
    /// changes the queue. commit() what was written.
    std::span<std::uint8_t> prepare(std::size_t n) {
        if (m_cap - m_end < n || m_cap == 0) make_room(n);
        return {m_buf.get() + m_end, m_cap - m_end};
    }
    void commit(std::size_t n) noexcept { m_end += n; }
    void append(std::span<const std::uint8_t> data) {
        if (data.empty()) return;
        std::memcpy(prepare(data.size()).data(), data.data(), data.size());
        commit(data.size());
    }
    void consume(std::size_t n) noexcept {
        m_begin += std::min(n, size());
        if (m_begin == m_end) m_begin = m_end = 0;
    }
    void clear() noexcept { m_begin = m_end = 0; }
    /// Frees the storage when empty and larger than `keep`: a rare burst does
    /// not pin memory on an idle connection.
    void release_if_empty(std::size_t keep) noexcept {
        if (empty() && m_cap > keep) {
            m_buf.reset();
            m_cap = 0;
        }
    }

private:
    void make_room(std::size_t n) {
        const std::size_t used = size();
        if (m_cap > 0 && used + n <= m_cap &&
            used <= m_cap / 2) {  // slide: at least half stays free, so slides stay rare
            std::memmove(m_buf.get(), m_buf.get() + m_begin, used);
        } else {
            const std::size_t cap = std::max({used + n, 2 * m_cap, std::size_t{256}});
            auto fresh = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
            if (used > 0) std::memcpy(fresh.get(), m_buf.get() + m_begin, used);
            m_buf = std::move(fresh);
            m_cap = cap;
        }
        m_begin = 0;
        m_end = used;
    }

    std::unique_ptr<std::uint8_t[]> m_buf;
    std::size_t m_cap = 0;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
};

}  // namespace chainkit::net::detail
