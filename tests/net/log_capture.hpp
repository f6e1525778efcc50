#pragma once
// Captures what the transport logs (its "net" spdlog logger) while in scope,
// so a test can assert that a failure was logged and how often.
// Not thread-safe: use on the test's thread, with the host on that thread.

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

namespace chainkit::net::test {

class LogCapture {
public:
    LogCapture();
    ~LogCapture();
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    /// Lines logged so far that contain `text`.
    [[nodiscard]] std::size_t count(const std::string& text) const;
    [[nodiscard]] std::string text() const { return m_out.str(); }

private:
    std::ostringstream m_out;
    std::shared_ptr<spdlog::logger> m_logger;
    std::shared_ptr<spdlog::sinks::ostream_sink_st> m_sink;
};

}  // namespace chainkit::net::test
