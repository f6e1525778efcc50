#include "log_capture.hpp"

#include "log.hpp"

#include <algorithm>

namespace chainkit::net::test {

LogCapture::LogCapture()
    : m_logger(detail::log()), m_sink(std::make_shared<spdlog::sinks::ostream_sink_st>(m_out, true)) {
    m_sink->set_pattern("%l %v");
    m_logger->sinks().push_back(m_sink);
}

LogCapture::~LogCapture() {
    auto& sinks = m_logger->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
}

std::size_t LogCapture::count(const std::string& text) const {
    std::istringstream in(m_out.str());
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);)
        if (line.find(text) != std::string::npos) ++n;
    return n;
}

}  // namespace chainkit::net::test
