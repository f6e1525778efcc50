#include "runtime.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>
#include <pthread.h>

namespace chainkit::apps {

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("chainkit");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
}

namespace {

// SIGUSR2 is only the destructor's wake-up call to the watcher thread.
sigset_t watched_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR2);
    return set;
}

}  // namespace

SignalWatcher::SignalWatcher(std::stop_source stop) : m_stop(std::move(stop)) {
    const sigset_t set = watched_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    m_thread = std::jthread([this](std::stop_token own) {
        const sigset_t signals = watched_signals();
        while (!own.stop_requested()) {
            int sig = 0;
            if (sigwait(&signals, &sig) != 0 || sig == SIGUSR2) continue;
            m_received = sig;
            spdlog::warn("signal {} received: stopping", sig);
            m_stop.request_stop();
        }
    });
}

SignalWatcher::~SignalWatcher() {
    m_thread.request_stop();
    pthread_kill(m_thread.native_handle(), SIGUSR2);
    m_thread.join();
}

}  // namespace chainkit::apps
