#include "log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace chainkit::net::detail {

std::shared_ptr<spdlog::logger> log() {
    // Registered once; an application that created "net" itself keeps its own.
    static const std::shared_ptr<spdlog::logger> logger = [] {
        if (auto existing = spdlog::get("net")) return existing;
        auto l = spdlog::stderr_color_mt("net");
        return l;
    }();
    return logger;
}

std::function<void(std::exception_ptr)> log_failure(std::string what, std::function<void()> on_failure) {
    return [what = std::move(what), on_failure = std::move(on_failure)](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            log()->error("{} failed: {}", what, x.what());
        } catch (...) {
            log()->error("{} failed: unknown exception", what);
        }
        if (on_failure) on_failure();
    };
}

}  // namespace chainkit::net::detail
