#pragma once
// Splitting a stream's bytes into '\n'-terminated lines under two bounds: one
// line may not exceed `max_line` bytes (per stream), and the memory holding
// not-yet-complete lines of every stream of a node together may not exceed
// one LineBudget (node-wide). Without the second bound the memory a peer can
// pin grows with connections x streams x max_line. The budget counts
// allocated capacity, taken before the allocation, not just the bytes held:
// growth by doubling and the capacity left behind by a taken line count too.
//
// Pure logic, no I/O. Not thread-safe: a budget and its buffers live on one
// executor. Buffers share ownership of their budget (a stream may outlive
// the node that opened it).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chainkit::pulse {

class LineBudget {
public:
    explicit LineBudget(std::size_t limit) noexcept : m_limit(limit) {}
    LineBudget(const LineBudget&) = delete;
    LineBudget& operator=(const LineBudget&) = delete;

    /// Reserves `n` bytes; false (nothing reserved) if that would pass the limit.
    [[nodiscard]] bool try_take(std::size_t n) noexcept;
    /// Returns bytes taken earlier.
    void give_back(std::size_t n) noexcept;
    /// Takes `n` even past the limit: for the few bytes an allocator rounds
    /// a reservation up by, after try_take() admitted the reservation.
    void take_anyway(std::size_t n) noexcept;
    std::size_t used() const noexcept { return m_used; }
    std::size_t limit() const noexcept { return m_limit; }

private:
    std::size_t m_limit;
    std::size_t m_used = 0;
};

/// One stream's received bytes. Use: append() what was read (false: the
/// node-wide budget is used up, nothing kept), take every next_line(), then
/// stop if overlong(), else read more.
class LineBuffer {
public:
    LineBuffer(std::shared_ptr<LineBudget> budget, std::size_t max_line) noexcept
        : m_budget(std::move(budget)), m_max_line(max_line) {}
    ~LineBuffer();  // gives every held byte back
    LineBuffer(const LineBuffer&) = delete;
    LineBuffer& operator=(const LineBuffer&) = delete;

    [[nodiscard]] bool append(std::string_view data);
    /// The next complete line of at most max_line bytes, without its '\n';
    /// its bytes leave the budget. nullopt if none is complete or it is overlong.
    std::optional<std::string> next_line();
    /// After next_line() gave nullopt: the next line has more than max_line
    /// bytes, whether or not its '\n' has arrived.
    bool overlong() const noexcept { return m_scanned > m_max_line; }
    /// At end of stream: what is left (a last line without '\n'), maybe empty.
    std::string take_rest();
    std::size_t size() const noexcept { return m_buf.size(); }
    /// Heap bytes allocated for the buffer (0 while it fits inline).
    std::size_t held() const noexcept { return m_buf.capacity() > INLINE ? m_buf.capacity() : 0; }

private:
    void recharge() noexcept;  // makes the budget hold exactly held()

    static inline const std::size_t INLINE = std::string().capacity();  // small-string buffer, no heap

    std::shared_ptr<LineBudget> m_budget;
    std::size_t m_max_line;
    std::string m_buf;
    std::size_t m_scanned = 0;  // bytes at the front of m_buf known to hold no '\n'
    std::size_t m_charged = 0;  // bytes taken from the budget, == held() between calls
};

}  // namespace chainkit::pulse
