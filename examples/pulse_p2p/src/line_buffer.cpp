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

LineBuffer::~LineBuffer() {
    m_budget->give_back(m_buf.size());
}

bool LineBuffer::append(std::string_view data) {
    if (!m_budget->try_take(data.size())) return false;
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
    }
    m_budget->give_back(nl + 1);
    m_scanned = 0;
    return line;
}

std::string LineBuffer::take_rest() {
    std::string rest = std::exchange(m_buf, std::string());
    m_budget->give_back(rest.size());
    m_scanned = 0;
    return rest;
}

}  // namespace chainkit::pulse
