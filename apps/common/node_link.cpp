#include "node_link.hpp"

#include "chainkit/rpc/cookie.hpp"

#include "errors.hpp"
#include "node_lock.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <thread>
#include <unistd.h>

namespace chainkit::apps {
namespace {

constexpr std::size_t MAX_ENDPOINT_BYTES = 256;
// A node takes the lock before it loads its chain and starts its RPC:
// a command started meanwhile waits this long for the endpoint.
constexpr auto ENDPOINT_WAIT = std::chrono::seconds(10);

std::filesystem::path endpoint_path(const std::filesystem::path& dir) {
    return dir / ENDPOINT_FILE_NAME;
}

// The file's one line, or nullopt when absent or unreadable.
std::optional<std::string> read_endpoint(const std::filesystem::path& dir) {
    std::ifstream in(endpoint_path(dir));
    if (!in) return std::nullopt;
    std::string line;
    line.resize(MAX_ENDPOINT_BYTES);
    in.read(line.data(), static_cast<std::streamsize>(line.size()));
    line.resize(static_cast<std::size_t>(in.gcount()));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
}

struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};

std::optional<HostPort> parse_url(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) return std::nullopt;
    url.remove_prefix(scheme.size());
    const auto colon = url.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    HostPort hp{std::string(url.substr(0, colon)), 0};
    const auto digits = url.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), hp.port);
    if (ec != std::errc() || end != digits.data() + digits.size() || hp.port == 0) return std::nullopt;
    return hp;
}

}  // namespace

void write_endpoint(const std::filesystem::path& data_dir, const std::string& url) {
    const auto path = endpoint_path(data_dir);
    const auto tmp = path.string() + ".tmp";
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw UserError(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
    const std::string line = url + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw UserError(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    }
}

void remove_endpoint(const std::filesystem::path& data_dir) noexcept {
    std::error_code ec;
    std::filesystem::remove(endpoint_path(data_dir), ec);
}

std::unique_ptr<rpc::RpcClient> connect_running_node(const Config& cfg) {
    const auto& dir = cfg.data_dir;
    if (!NodeLock::held(dir)) return nullptr;
    auto url = read_endpoint(dir);
    for (auto until = std::chrono::steady_clock::now() + ENDPOINT_WAIT;
         !url && NodeLock::held(dir) && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        url = read_endpoint(dir);
    }
    if (!NodeLock::held(dir)) return nullptr;  // it stopped meanwhile
    if (!url || *url == "off")
        throw UserError(
            fmt::format("a node is running on {} with its RPC off (--no-rpc): restart it without "
                        "--no-rpc, or stop it, to use this command",
                        dir.string()));
    const auto hp = parse_url(*url);
    if (!hp) throw UserError(fmt::format("{} is malformed: '{}'", endpoint_path(dir).string(), *url));
    auto cookie = rpc::read_cookie(dir / rpc::COOKIE_FILE_NAME);
    if (!cookie)
        throw UserError(fmt::format("a node is running on {} but its RPC cookie cannot be read: {}", dir.string(),
                                    cookie.error().message));
    auto client = std::make_unique<rpc::RpcClient>(hp->host, hp->port, std::move(cookie).value());
    if (auto r = client->call("getblockcount"); !r)
        throw UserError(fmt::format("a node is running on {} but does not answer on {}: {}", dir.string(), *url,
                                    r.error().message));
    return client;
}

rpc::Json call_node(rpc::RpcClient& client, std::string_view method, const rpc::Json& params) {
    auto r = client.call(method, params);
    if (!r) throw UserError(fmt::format("{}: {}", method, r.error().message));
    return std::move(r).value();
}

}  // namespace chainkit::apps
