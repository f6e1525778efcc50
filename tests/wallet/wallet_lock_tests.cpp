// The wallet's file lock: a second writer is refused with one clear line
// instead of silently losing the first writer's update.
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/wallet.hpp"
#include "chainkit/wallet/wallet_lock.hpp"

#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

using namespace chainkit;
using wallet::WalletErrc;
using wallet::WalletLock;

namespace {
const auto REGTEST = chain::params_for(chain::Network::regtest);

// Loads (or starts) the wallet, adds a key, saves; returns the new key.
chain::KeyHash add_key(const std::filesystem::path& path) {
    auto loaded = wallet::Wallet::load(path, REGTEST, std::nullopt);
    wallet::Wallet w = loaded ? std::move(loaded).value() : wallet::Wallet(REGTEST);
    const auto key = w.new_key().key_hash();
    REQUIRE(w.save(path, {}).ok());
    return key;
}
}  // namespace

TEST_CASE("a second writer of a wallet is refused until the first is done, and no update is lost", "[wallet][lock]") {
    test::ScratchDir dir("wallet");
    const auto path = dir / "wallet_1.dat";
    std::optional<chain::KeyHash> first;
    {
        auto a = WalletLock::acquire(path);
        REQUIRE(a.ok());
        auto b = WalletLock::acquire(path);  // a separate open: conflicts as another process would
        REQUIRE_FALSE(b.ok());
        CHECK(b.error().code == WalletErrc::wallet_in_use);
        CHECK(b.error().message == "wallet " + path.string() + " is in use by another process");
        first = add_key(path);
    }
    auto b = WalletLock::acquire(path);
    REQUIRE(b.ok());
    const auto second = add_key(path);
    auto back = wallet::Wallet::load(path, REGTEST, std::nullopt);
    REQUIRE(back.ok());
    CHECK(back->find(*first) != nullptr);
    CHECK(back->find(second) != nullptr);
}

TEST_CASE("a wallet locked by another process is refused; its exit releases the lock", "[wallet][lock]") {
    test::ScratchDir dir("wallet");
    const auto path = dir / "wallet_1.dat";
    int to_child[2];
    int to_parent[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(to_parent) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // the other process: lock, say so, wait to be told to exit
        auto lock = WalletLock::acquire(path);
        const char ok = lock ? 'y' : 'n';
        char go = 0;
        const bool fine = ::write(to_parent[1], &ok, 1) == 1 && ::read(to_child[0], &go, 1) == 1;
        ::_exit(fine ? 0 : 1);
    }
    char locked = 0;
    REQUIRE(::read(to_parent[0], &locked, 1) == 1);
    REQUIRE(locked == 'y');
    auto refused = WalletLock::acquire(path);
    CHECK_FALSE(refused.ok());
    if (!refused) CHECK(refused.error().code == WalletErrc::wallet_in_use);
    const char go = 'x';
    REQUIRE(::write(to_child[1], &go, 1) == 1);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);
    CHECK(WalletLock::acquire(path).ok());
}
