// Process-level plumbing shared by the apps: logging to stderr with spdlog,
// and a signal watcher that turns SIGINT/SIGTERM into a stop request (the
// miner and any long command stop at their next check; no handler runs
// async-signal-unsafe code).
#pragma once

#include <atomic>
#include <stop_token>
#include <string>
#include <thread>

namespace chainkit::apps {

// `level`: trace, debug, info, warn, error or off. Logs go to stderr so
// stdout carries only command output.
void setup_logging(const std::string& level);

// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts
// later) and waits for them on its own thread. Construct it before any
// other thread starts.
class SignalWatcher {
public:
    explicit SignalWatcher(std::stop_source stop);
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;
    ~SignalWatcher();

    [[nodiscard]] int received() const noexcept { return m_received.load(); }

private:
    std::stop_source m_stop;
    std::atomic<int> m_received{0};
    std::jthread m_thread;
};

}  // namespace chainkit::apps
