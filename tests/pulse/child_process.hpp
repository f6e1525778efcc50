#pragma once
// Test helper: runs a program with its stdin and stdout on pipes and its
// stderr in a temporary file, and waits (bounded) for stdout lines. POSIX.
// Not thread-safe; one test drives each Child.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace chainkit::test {

class Child {
public:
    /// A non-empty `stdin_file` is the child's stdin instead of the pipe
    /// (write_line then reaches nobody).
    explicit Child(std::vector<std::string> argv, const std::string& stdin_file = {}) {
        char tmpl[] = "/tmp/chainkit-child-XXXXXX";
        int err_fd = ::mkstemp(tmpl);
        if (err_fd < 0) throw std::runtime_error("mkstemp failed");
        m_err_path = tmpl;
        int in[2], out[2];
        if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe failed");
        m_pid = ::fork();
        if (m_pid < 0) throw std::runtime_error("fork failed");
        if (m_pid == 0) {
            int in_fd = stdin_file.empty() ? in[0] : ::open(stdin_file.c_str(), O_RDONLY);
            if (in_fd < 0) {
                std::perror("open stdin_file");
                ::_exit(127);
            }
            ::dup2(in_fd, 0);
            ::dup2(out[1], 1);
            ::dup2(err_fd, 2);
            for (int fd : {in[0], in[1], out[0], out[1], err_fd}) ::close(fd);
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            std::perror("execvp");
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        ::close(err_fd);
        m_in = in[1];
        m_out = out[0];
        ::signal(SIGPIPE, SIG_IGN);
    }

    ~Child() {
        stop();
        if (m_in >= 0) ::close(m_in);
        if (m_out >= 0) ::close(m_out);
        ::unlink(m_err_path.c_str());
    }

    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    void write_line(std::string_view line) {
        std::string data = std::string(line) + "\n";
        (void)!::write(m_in, data.data(), data.size());
    }

    /// The first stdout line (seen so far or arriving within `timeout`) at or
    /// after index `from` that satisfies `pred`; nullopt on timeout or EOF.
    std::optional<std::string> wait_line(const std::function<bool(const std::string&)>& pred,
                                         std::chrono::milliseconds timeout, std::size_t from = 0) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (std::size_t i = from;;) {
            for (; i < m_lines.size(); ++i)
                if (pred(m_lines[i])) return m_lines[i];
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !read_more(left)) return std::nullopt;
        }
    }
    std::optional<std::string> wait_prefix(std::string_view prefix, std::chrono::milliseconds timeout,
                                           std::size_t from = 0) {
        return wait_line([&](const std::string& l) { return l.rfind(prefix, 0) == 0; }, timeout, from);
    }
    /// What follows `prefix` on the first line that starts with it.
    std::optional<std::string> wait_after(std::string_view prefix, std::chrono::milliseconds timeout) {
        auto line = wait_prefix(prefix, timeout);
        if (!line) return std::nullopt;
        return line->substr(prefix.size());
    }
    std::optional<std::string> wait_contains(std::string_view text, std::chrono::milliseconds timeout,
                                             std::size_t from = 0) {
        return wait_line([&](const std::string& l) { return l.find(text) != std::string::npos; }, timeout, from);
    }

    /// Polls stderr (a file) until it contains `text` or the timeout passes.
    bool wait_stderr(std::string_view text, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (stderr_text().find(text) != std::string::npos) return true;
            if (std::chrono::steady_clock::now() > deadline) return false;
            ::usleep(50'000);
        }
    }

    const std::vector<std::string>& lines() const { return m_lines; }
    std::string stderr_text() const {
        std::ifstream f(m_err_path);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
    /// Everything seen so far, for failure messages.
    std::string transcript() const {
        std::string t = "--- stdout:\n";
        for (auto& l : m_lines) t += l + "\n";
        return t + "--- stderr:\n" + stderr_text();
    }
    bool running() { return m_pid > 0 && !reap(false); }
    /// Waits up to `timeout` for the process to exit on its own; its exit
    /// code, or -1 (still running or killed by a signal).
    int wait_exit(std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (m_pid > 0 && !reap(false) && std::chrono::steady_clock::now() < deadline) ::usleep(20'000);
        return m_pid > 0 ? -1 : m_exit_code;
    }
    /// SIGTERM, then SIGKILL after 5 s; returns the exit code as wait_exit.
    int stop() {
        if (m_pid <= 0) return m_exit_code;
        ::kill(m_pid, SIGTERM);
        if (wait_exit(std::chrono::seconds(5)) >= 0 || m_pid <= 0) return m_exit_code;
        ::kill(m_pid, SIGKILL);
        reap(true);
        return m_exit_code;
    }
    /// stop()s, then true iff it exited 0 without a sanitizer report.
    bool stop_cleanly() {
        int code = stop();
        std::string err = stderr_text();
        return code == 0 && err.find("Sanitizer") == std::string::npos &&
               err.find("runtime error:") == std::string::npos;
    }

private:
    bool reap(bool block) {
        int status = 0;
        if (::waitpid(m_pid, &status, block ? 0 : WNOHANG) != m_pid) return false;
        m_exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        m_pid = -1;
        return true;
    }

    bool read_more(std::chrono::milliseconds timeout) {
        pollfd p{m_out, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return true;  // timeout: caller re-checks
        char buf[4096];
        ssize_t n = ::read(m_out, buf, sizeof buf);
        if (n <= 0) return false;
        m_partial.append(buf, static_cast<std::size_t>(n));
        for (std::size_t nl; (nl = m_partial.find('\n')) != std::string::npos;) {
            m_lines.push_back(m_partial.substr(0, nl));
            m_partial.erase(0, nl + 1);
        }
        return true;
    }

    pid_t m_pid = -1;
    int m_exit_code = -1;
    int m_in = -1;
    int m_out = -1;
    std::string m_err_path;
    std::string m_partial;
    std::vector<std::string> m_lines;
};

}  // namespace chainkit::test
