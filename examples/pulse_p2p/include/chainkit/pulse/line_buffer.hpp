#pragma once
// Splitting a stream's bytes into '\n'-terminated lines under two bounds: one
// line may not exceed `max_line` bytes (per stream), and the memory holding
// not-yet-complete lines of every stream of a node together may not exceed
// one LineBudget (node-wide). Without the second bound the memory a peer can
// pin grows with connections x streams x max_line. The budget counts
// allocated capacity, taken before the allocation, not just the bytes held:
// growth by doubling and the capacity left behind by a taken line count too.
// When the budget is spent, the buffer holding the most is evicted to make
// room for one that would hold less: peers that park partial lines cannot
// keep an honest peer's shorter line out.
//
// Pure logic, no I/O. Not thread-safe: a budget and its buffers live on one
// executor. Buffers share ownership of their budget (a stream may outlive
// the node that opened it).

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chainkit::pulse {

class LineBuffer;

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
    friend class LineBuffer;
    /// Evicts the buffer holding the most, if it holds more than `above` and
    /// is not `requester`, so that `n` more bytes fit; false (nobody evicted)
    /// otherwise.
    bool make_room(std::size_t n, std::size_t above, const LineBuffer& requester);

    std::size_t m_limit;
    std::size_t m_used = 0;
    std::vector<LineBuffer*> m_holders;  // every live buffer of this budget
};

/// One stream's received bytes. Use: append() what was read (false: the
/// node-wide budget is used up even after evicting the largest holder, nothing
/// kept), take every next_line(), then stop if overlong(), else read more.
/// An evicted buffer holds nothing and refuses every append; `on_evicted`
/// (called during another buffer's append) tells its owner to end the stream.
class LineBuffer {
public:
    LineBuffer(std::shared_ptr<LineBudget> budget, std::size_t max_line, std::function<void()> on_evicted = {});
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
    /// Bytes it held when the budget evicted it, nullopt if it was not.
    std::optional<std::size_t> evicted() const noexcept { return m_evicted; }

private:
    friend class LineBudget;
    void recharge() noexcept;  // makes the budget hold exactly held()
    void evict();              // by the budget: frees everything, refuses what comes next

    static inline const std::size_t INLINE = std::string().capacity();  // small-string buffer, no heap

    std::shared_ptr<LineBudget> m_budget;
    std::size_t m_max_line;
    std::string m_buf;
    std::size_t m_scanned = 0;  // bytes at the front of m_buf known to hold no '\n'
    std::size_t m_charged = 0;  // bytes taken from the budget, == held() between calls
    std::function<void()> m_on_evicted;
    std::optional<std::size_t> m_evicted;
};

}  // namespace chainkit::pulse
