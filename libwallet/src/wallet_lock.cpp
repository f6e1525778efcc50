#include "chainkit/wallet/wallet_lock.hpp"

#include "chainkit/wallet/errors.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace chainkit::wallet {

std::filesystem::path WalletLock::lock_path(const std::filesystem::path& wallet_path) {
    auto p = wallet_path;
    p += ".lock";
    return p;
}

Result<WalletLock> WalletLock::acquire(const std::filesystem::path& wallet_path) {
    const auto path = lock_path(wallet_path);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{make_error_code(WalletErrc::file_io),
                     fmt::format("cannot create {}: {}", path.string(), std::strerror(errno))};
    // flock locks belong to the open file description, so a second open in
    // this process conflicts as another process would.
    int rc = 0;
    do rc = ::flock(fd, LOCK_EX | LOCK_NB);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return Error{make_error_code(WalletErrc::wallet_in_use),
                         fmt::format("wallet {} is in use by another process", wallet_path.string())};
        return Error{make_error_code(WalletErrc::file_io),
                     fmt::format("cannot lock {}: {}", path.string(), std::strerror(err))};
    }
    return WalletLock(fd);
}

WalletLock::WalletLock(WalletLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

WalletLock& WalletLock::operator=(WalletLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

WalletLock::~WalletLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing the last descriptor releases the lock
}

}  // namespace chainkit::wallet
