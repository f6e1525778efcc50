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

}  // namespace chainkit::net::detail
