#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace chainkit::net::test {

ChildProcess::ChildProcess(const std::string& cwd, std::vector<std::string> argv) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    const int pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], 1);
        // Nothing else is inherited: a child that counts or limits its own
        // descriptors (echo_node's spare_fds) must not see the test's.
        ::close_range(3, ~0U, 0);
        if (::chdir(cwd.c_str()) != 0) ::_exit(126);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    m_pid = pid;
    m_out = fds[0];
}

ChildProcess::~ChildProcess() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        ::waitpid(m_pid, nullptr, 0);
    }
    if (m_out >= 0) ::close(m_out);
}

void ChildProcess::terminate() {
    if (m_pid > 0) ::kill(m_pid, SIGTERM);
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (auto nl = m_buf.find('\n'); nl != std::string::npos) {
            auto line = m_buf.substr(0, nl);
            m_buf.erase(0, nl + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || m_out < 0) return std::nullopt;
        pollfd p{m_out, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const auto n = ::read(m_out, buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        m_buf.append(buf, static_cast<std::size_t>(n));
    }
}

int ChildProcess::wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (m_pid > 0) {
        int status = 0;
        const int r = ::waitpid(m_pid, &status, WNOHANG);
        if (r == m_pid) {
            m_pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (std::chrono::steady_clock::now() > deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

}  // namespace chainkit::net::test
