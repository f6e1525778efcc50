#pragma once
// A child process with its stdout on a pipe (stderr inherited), for the
// interop tests that run the js-libp2p peer. Killed on destruction.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace chainkit::net::test {

class ChildProcess {
public:
    ChildProcess(const std::string& cwd, std::vector<std::string> argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool started() const noexcept { return m_pid > 0; }
    int pid() const noexcept { return m_pid; }
    /// Next stdout line (without '\n'), or nullopt at EOF or after `limit`.
    std::optional<std::string> read_line(std::chrono::milliseconds limit);
    /// Asks the child to stop (SIGTERM); wait() then gives its exit code.
    void terminate();
    /// Waits for exit; the exit code, or -1 on timeout/signal.
    int wait(std::chrono::milliseconds limit);

private:
    int m_pid = -1;
    int m_out = -1;
    std::string m_buf;
};

}  // namespace chainkit::net::test
