#pragma once
// An echo_node child process (tests/net/echo_node.cpp) seen from a test: its
// address, its log lines, its CPU time and its memory, read from /proc.
// Not thread-safe; killed on destruction.

#include "child_process.hpp"

#include <chainkit/net/multiaddr.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace chainkit::net::test {

class NodeProcess {
public:
    /// Starts the node with HostConfig fields as "name=value" and waits for
    /// its listening line; address() is empty if it never came.
    explicit NodeProcess(std::vector<std::string> args);

    const std::optional<Multiaddr>& address() const noexcept { return m_addr; }
    int pid() const noexcept { return m_child.pid(); }
    /// Reads log lines for `d` (a measurement window, or until EOF).
    void pump(std::chrono::milliseconds d);
    /// Reads log lines until one contains `text` (true) or `limit` passes.
    bool wait_for(const std::string& text, std::chrono::milliseconds limit);
    /// Log lines read so far that contain `text`.
    std::size_t count(const std::string& text) const;
    const std::vector<std::string>& lines() const noexcept { return m_lines; }

    /// User + system CPU time of the node so far.
    std::chrono::milliseconds cpu_time() const;
    /// A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), 0 if unreadable.
    std::size_t status_bytes(const std::string& field) const;

private:
    ChildProcess m_child;
    std::optional<Multiaddr> m_addr;
    std::vector<std::string> m_lines;
};

}  // namespace chainkit::net::test
