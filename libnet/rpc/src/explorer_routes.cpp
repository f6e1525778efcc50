#include "explorer_routes.hpp"

#include "chainkit/rpc/jsonrpc.hpp"

#include <arpa/inet.h>
#include <array>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace chainkit::rpc::detail {
namespace {

// An explicit list, so no request path ever becomes a file path.
struct Asset {
    std::string_view route;
    std::string_view file;
    std::string_view type;
};
constexpr std::array<Asset, 5> ASSETS{{
    {"/", "index.html", "text/html; charset=utf-8"},
    {"/index.html", "index.html", "text/html; charset=utf-8"},
    {"/explorer.js", "explorer.js", "text/javascript; charset=utf-8"},
    {"/style.css", "style.css", "text/css; charset=utf-8"},
    {"/favicon.svg", "favicon.svg", "image/svg+xml"},
}};
// The page's files are ours, but a wrong directory must not make us read a
// huge file into memory per request.
constexpr std::size_t MAX_ASSET_BYTES = 1u << 20;

void plain(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(message + "\n", "text/plain");
}

// The page loads nothing from elsewhere and runs no inline script; the
// browser is told to keep it that way.
void page_headers(httplib::Response& res) {
    res.set_header("Content-Security-Policy", "default-src 'self'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-cache");
}

// These routes need no cookie, so a web page elsewhere could read them
// through DNS rebinding (its own name re-pointed at 127.0.0.1): the browser
// then sends that name as Host. Only an IP literal or localhost is accepted.
bool host_allowed(std::string_view host) {
    if (host.empty()) return true;  // HTTP/1.0: no browser
    if (host.starts_with('[')) {
        const auto end = host.find(']');
        if (end == std::string_view::npos) return false;
        const std::string v6(host.substr(1, end - 1));
        in6_addr a6{};
        return ::inet_pton(AF_INET6, v6.c_str(), &a6) == 1;
    }
    const std::string name(host.substr(0, host.rfind(':')));
    if (name == "localhost") return true;
    in_addr a4{};
    return ::inet_pton(AF_INET, name.c_str(), &a4) == 1;
}

// False (and a 403 in `res`) when the Host header names something else.
bool check_host(const httplib::Request& req, httplib::Response& res) {
    if (host_allowed(req.get_header_value("Host"))) return true;
    plain(res, 403, "reach this node by IP address or localhost (Host names are refused: DNS rebinding)");
    return false;
}

std::optional<std::string> read_asset(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string out;
    std::array<char, 16 * 1024> buf{};
    while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
        out.append(buf.data(), static_cast<std::size_t>(in.gcount()));
        if (out.size() > MAX_ASSET_BYTES) return std::nullopt;
    }
    return out;
}

void serve_asset(const ServerConfig& config, const Asset& asset, httplib::Response& res) {
    if (config.www_dir.empty()) return plain(res, 404, "this node serves no explorer page (no www directory)");
    auto body = read_asset(config.www_dir / asset.file);
    if (!body) return plain(res, 404, "missing " + std::string(asset.file) + " in the www directory");
    page_headers(res);
    res.status = 200;
    res.set_content(std::move(*body), std::string(asset.type));
}

// The body, read within max_body_bytes (as POST / reads it), or a refusal in `res`.
std::optional<std::string> read_body(const ServerConfig& config, httplib::Response& res,
                                     const httplib::ContentReader& reader) {
    std::string body;
    bool too_large = false;
    const bool read = reader([&](const char* data, std::size_t n) {
        if (n > config.max_body_bytes - body.size()) {
            too_large = true;
            return false;
        }
        body.append(data, n);
        return true;
    });
    if (too_large || res.status == 413) {
        plain(res, 413, "body exceeds " + std::to_string(config.max_body_bytes) + " bytes");
        return std::nullopt;
    }
    if (!read) {
        plain(res, 400, "the body could not be read");
        return std::nullopt;
    }
    return body;
}

}  // namespace

void add_explorer_routes(httplib::Server& http, const ServerConfig& config, const MethodRegistry& read_only) {
    for (const auto& asset : ASSETS)
        http.Get(std::string(asset.route), [&config, &asset](const httplib::Request& req, httplib::Response& res) {
            if (check_host(req, res)) serve_asset(config, asset, res);
        });
    // No cookie: only the read-only methods are registered here, so a write
    // method is "method not found" whatever the caller sends.
    http.Post("/api", [&config, &read_only](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
        auto body = read_body(config, res, reader);  // read first: the connection stays in step
        if (!body || !check_host(req, res)) return;
        auto answer = handle_jsonrpc(read_only, *body, config.limits);
        if (!answer) {
            res.status = 204;
            return;
        }
        res.status = 200;
        res.set_header("Cache-Control", "no-store");
        res.set_content(std::move(*answer), "application/json");
    });
    http.Get("/metrics", [&config](const httplib::Request& req, httplib::Response& res) {
        if (!check_host(req, res)) return;
        if (!config.metrics) return plain(res, 404, "this node serves no metrics");
        std::string text;
        try {
            text = config.metrics();
        } catch (const std::exception& e) {
            return plain(res, 503, std::string("metrics unavailable: ") + e.what());
        }
        res.status = 200;
        res.set_content(std::move(text), "text/plain; version=0.0.4; charset=utf-8");
    });
}

}  // namespace chainkit::rpc::detail
