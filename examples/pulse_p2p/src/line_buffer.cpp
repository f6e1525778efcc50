#include <algorithm>
#include <cassert>
#include <chainkit/pulse/line_buffer.hpp>
#include <utility>

namespace chainkit::pulse {

bool LineBudget::try_take(std::size_t n) noexcept {
    if (n > m_limit - m_used) return false;
    m_used += n;
    return true;
}

void LineBudget::give_back(std::size_t n) noexcept {
    assert(n <= m_used);
    m_used -= n;
}

void LineBudget::take_anyway(std::size_t n) noexcept {
    m_used += n;
}

// One eviction always suffices: the victim holds more than the requester
// would after growing, so more than the requester asks for.
bool LineBudget::make_room(std::size_t n, std::size_t above, const LineBuffer& requester) {
    LineBuffer* largest = nullptr;
    for (auto* b : m_holders)
        if (b != &requester && b->held() > above && (!largest || b->held() > largest->held())) largest = b;
    if (!largest || m_limit - std::min(m_limit, m_used) + largest->held() < n) return false;
    largest->evict();
    return true;
}

LineBuffer::LineBuffer(std::shared_ptr<LineBudget> budget, std::size_t max_line, std::function<void()> on_evicted)
    : m_budget(std::move(budget)), m_max_line(max_line), m_on_evicted(std::move(on_evicted)) {
    m_budget->m_holders.push_back(this);
}

LineBuffer::~LineBuffer() {
    m_budget->give_back(m_charged);
    std::erase(m_budget->m_holders, this);
}

void LineBuffer::evict() {
    m_evicted = held();
    std::string().swap(m_buf);  // assigning an empty string would keep the capacity
    m_scanned = 0;
    recharge();
    if (m_on_evicted) m_on_evicted();
}

// The budget always holds exactly held(): what the allocator actually gave.
void LineBuffer::recharge() noexcept {
    const auto now = held();
    if (now >= m_charged)
        m_budget->take_anyway(now - m_charged);  // reserve() may round up a little past what was taken
    else
        m_budget->give_back(m_charged - now);
    m_charged = now;
}

bool LineBuffer::append(std::string_view data) {
    if (m_evicted) return false;
    const auto needed = m_buf.size() + data.size();
    if (needed > m_buf.capacity()) {
        // Grow by doubling (amortized appends) when the budget allows it,
        // else exactly, else exactly after evicting buffers that hold more
        // than this one would; either way the memory is taken before it is
        // allocated.
        const auto doubled = std::max(needed, 2 * m_buf.capacity());
        auto target = doubled;
        if (!m_budget->try_take(target - m_charged)) {
            target = needed;
            if (!m_budget->try_take(target - m_charged) &&
                !(m_budget->make_room(target - m_charged, target, *this) && m_budget->try_take(target - m_charged)))
                return false;
        }
        m_budget->give_back(target - m_charged);  // recharge() takes what reserve() really allocated
        // Sized at construction: libstdc++'s reserve() rounds a request below
        // twice the current capacity up to that (15 -> 30 for a fresh string),
        // which could pass the budget; a string built with n bytes has
        // capacity n, and assign() of fewer keeps it.
        std::string grown(target, '\0');
        grown.assign(m_buf);
        m_buf.swap(grown);
        recharge();
    }
    m_buf.append(data);
    return true;
}

std::optional<std::string> LineBuffer::next_line() {
    auto nl = m_buf.find('\n', m_scanned);
    m_scanned = nl == std::string::npos ? m_buf.size() : nl;
    if (nl == std::string::npos || nl > m_max_line) return std::nullopt;
    std::string line;
    if (nl + 1 == m_buf.size()) {  // the usual case, one whole line: no copy
        line = std::exchange(m_buf, std::string());
        line.pop_back();
    } else {
        line = m_buf.substr(0, nl);
        m_buf.erase(0, nl + 1);
        // erase keeps the capacity: the rest moves to a buffer of its size,
        // or the memory of the line just taken would stay pinned.
        if (m_buf.size() <= m_buf.capacity() / 2) std::string(m_buf).swap(m_buf);
    }
    recharge();
    m_scanned = 0;
    return line;
}

std::string LineBuffer::take_rest() {
    std::string rest = std::exchange(m_buf, std::string());
    recharge();
    m_scanned = 0;
    return rest;
}

}  // namespace chainkit::pulse
