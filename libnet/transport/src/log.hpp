#pragma once
// The transport's spdlog logger, named "net" so that its level can be set
// apart from other modules (spdlog::get("net")->set_level(...)).

#include <spdlog/logger.h>

#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace chainkit::net::detail {

std::shared_ptr<spdlog::logger> log();

/// Completion handler for co_spawn instead of asio::detached, which swallows
/// exceptions: logs a task's failure (naming `what`) and runs `on_failure`,
/// which releases what the task held. Resources the task owns are released
/// by their RAII guards as the exception unwinds its frame.
std::function<void(std::exception_ptr)> log_failure(std::string what, std::function<void()> on_failure = {});

}  // namespace chainkit::net::detail
