#include "chainkit/rpc/explorer.hpp"

#include <system_error>

namespace chainkit::rpc {

MethodRegistry read_only_subset(const MethodRegistry& all) {
    MethodRegistry out;
    for (const auto name : READ_ONLY_METHODS)
        if (const auto* handler = all.find(name)) out.add(std::string(name), *handler);
    return out;
}

std::filesystem::path default_www_dir() {
    // Both set by libnet/rpc/CMakeLists.txt.
    for (const std::filesystem::path dir : {CHAINKIT_WWW_SOURCE_DIR, CHAINKIT_WWW_INSTALL_DIR}) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(dir / "index.html", ec)) return dir;
    }
    return {};
}

}  // namespace chainkit::rpc
