#pragma once
// The transport's spdlog logger, named "net" so that its level can be set
// apart from other modules (spdlog::get("net")->set_level(...)).

#include <spdlog/logger.h>

#include <memory>

namespace chainkit::net::detail {

std::shared_ptr<spdlog::logger> log();

}  // namespace chainkit::net::detail
