#include "chainkit/rpc/cookie.hpp"

#include "chainkit/chain/bytes.hpp"

#include <sodium.h>

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace chainkit::rpc {
namespace {

constexpr std::size_t MAX_COOKIE_FILE = 1024;

Error system_error(const std::string& what) {
    const int err = errno;
    return Error{std::error_code(err, std::generic_category()),
                 what + ": " + std::error_code(err, std::generic_category()).message()};
}

// Writes `text` to `path` created exclusively with mode 0600 (fchmod: the
// umask may not widen it, but an odd umask must not narrow it either).
Result<void> write_private_file(const std::filesystem::path& path, std::string_view text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return system_error("cannot create " + path.string());
    bool ok = ::fchmod(fd, 0600) == 0;
    std::size_t done = 0;
    while (ok && done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    auto failure = ok ? Error{} : system_error("cannot write " + path.string());
    if (::close(fd) != 0 && ok) {
        ok = false;
        failure = system_error("cannot close " + path.string());
    }
    if (!ok) {
        ::unlink(path.c_str());
        return failure;
    }
    return {};
}

}  // namespace

Result<Cookie> Cookie::create(const std::filesystem::path& path) {
    if (sodium_init() < 0) return Error{std::make_error_code(std::errc::io_error), "libsodium failed to initialize"};
    std::array<std::uint8_t, 32> secret{};
    randombytes_buf(secret.data(), secret.size());
    std::string credentials = std::string(COOKIE_USER) + ":" + chain::to_hex(secret);
    sodium_memzero(secret.data(), secret.size());

    auto tmp = path;
    tmp += ".tmp";
    ::unlink(tmp.c_str());  // left by a crash; O_EXCL below refuses anything raced in
    if (auto r = write_private_file(tmp, credentials); !r) return r.error();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        auto e = system_error("cannot rename " + tmp.string() + " to " + path.string());
        ::unlink(tmp.c_str());
        return e;
    }
    return Cookie(path, std::move(credentials));
}

Cookie::Cookie(std::filesystem::path path, std::string credentials)
    : m_path(std::move(path)),
      m_credentials(std::move(credentials)),
      m_expected_header(basic_authorization(m_credentials)) {}

Cookie::Cookie(Cookie&& other) noexcept
    : m_path(std::move(other.m_path)),
      m_credentials(std::move(other.m_credentials)),
      m_expected_header(std::move(other.m_expected_header)) {
    other.m_path.clear();
}

Cookie::~Cookie() {
    remove();
}

void Cookie::remove() noexcept {
    if (m_path.empty()) return;
    std::error_code ec;
    std::filesystem::remove(m_path, ec);  // already gone is fine
    m_path.clear();
}

bool Cookie::authorizes(std::string_view authorization) const {
    // The expected length is public (it is fixed by the format); the bytes are not.
    if (authorization.size() != m_expected_header.size()) return false;
    return sodium_memcmp(authorization.data(), m_expected_header.data(), m_expected_header.size()) == 0;
}

std::string basic_authorization(std::string_view credentials) {
    if (sodium_init() < 0) return {};
    std::string b64(sodium_base64_ENCODED_LEN(credentials.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(credentials.data()),
                      credentials.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.resize(b64.find('\0'));
    return "Basic " + b64;
}

Result<std::string> read_cookie(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return system_error("cannot read " + path.string());
    std::string text(MAX_COOKIE_FILE + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > MAX_COOKIE_FILE)
        return Error{std::make_error_code(std::errc::file_too_large), path.string() + " is not a cookie file"};
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.find(':') == std::string::npos || text.find('\n') != std::string::npos)
        return Error{std::make_error_code(std::errc::invalid_argument), path.string() + " is not a cookie file"};
    return text;
}

}  // namespace chainkit::rpc
