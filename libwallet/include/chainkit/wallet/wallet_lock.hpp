// An exclusive lock on a wallet file for whoever will save it: flock(2) on
// "<wallet>.lock" beside the file, taken before the wallet is loaded and held
// until after its last save. Without it two processes that load, change and
// save one wallet both succeed and the later save silently drops the other's
// change (a new key, a pending spend). The kernel releases the lock when its
// holder exits, even by a crash; the lock file itself stays (removing it would
// race with a process that just opened it). Readers need no lock: saves
// replace the file atomically. Move-only; thread-compatible.
#pragma once

#include "chainkit/chain/result.hpp"

#include <filesystem>

namespace chainkit::wallet {

class WalletLock {
public:
    // wallet_in_use ("wallet FILE is in use by another process") when another
    // holder has it (another process, or another WalletLock in this one);
    // file_io when the lock file cannot be created. Never waits.
    [[nodiscard]] static Result<WalletLock> acquire(const std::filesystem::path& wallet_path);

    WalletLock(WalletLock&& other) noexcept;
    WalletLock& operator=(WalletLock&& other) noexcept;
    WalletLock(const WalletLock&) = delete;
    WalletLock& operator=(const WalletLock&) = delete;
    ~WalletLock();

    [[nodiscard]] static std::filesystem::path lock_path(const std::filesystem::path& wallet_path);

private:
    explicit WalletLock(int fd) noexcept : m_fd(fd) {}
    int m_fd = -1;
};

}  // namespace chainkit::wallet
