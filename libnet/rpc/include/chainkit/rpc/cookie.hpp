// Cookie authentication, as Bitcoin Core does it (src/httprpc.cpp): at start
// the server writes a random secret "__cookie__:<64 hex>" to
// <datadir>/.cookie, readable by its owner only; a client on the same
// account reads it and sends it as HTTP Basic credentials. The file is
// removed when the Cookie is destroyed (the server stops).
//
// Thread-safety: authorizes() may be called from many threads at once.
#pragma once

#include "chainkit/chain/result.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace chainkit::rpc {

inline constexpr std::string_view COOKIE_USER = "__cookie__";
inline constexpr std::string_view COOKIE_FILE_NAME = ".cookie";

class Cookie {
public:
    // A fresh random secret written to `path` with mode 0600: written to
    // <path>.tmp (created exclusively) and renamed, so a reader never sees
    // a partial cookie. Fails if the file cannot be written.
    [[nodiscard]] static Result<Cookie> create(const std::filesystem::path& path);

    Cookie(Cookie&& other) noexcept;
    Cookie& operator=(Cookie&&) = delete;
    Cookie(const Cookie&) = delete;
    ~Cookie();  // remove()s

    // "__cookie__:<64 hex>", the Basic credentials.
    [[nodiscard]] const std::string& credentials() const noexcept { return m_credentials; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_path; }
    // True iff `authorization` is "Basic <base64 of credentials()>"; the
    // comparison takes the same time wherever the first difference is.
    [[nodiscard]] bool authorizes(std::string_view authorization) const;
    // Deletes the file if this Cookie wrote it. Idempotent.
    void remove() noexcept;

private:
    Cookie(std::filesystem::path path, std::string credentials);

    std::filesystem::path m_path;
    std::string m_credentials;
    std::string m_expected_header;
};

// "Basic <base64(credentials)>" for a client's Authorization header.
[[nodiscard]] std::string basic_authorization(std::string_view credentials);
// A cookie file's credentials (one line, at most 1 KiB), for clients.
[[nodiscard]] Result<std::string> read_cookie(const std::filesystem::path& path);

}  // namespace chainkit::rpc
