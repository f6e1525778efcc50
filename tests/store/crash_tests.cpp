// Crash safety: a child process connecting blocks (with signed transactions
// and one-block reorgs) is SIGKILLed at random instants. After every kill
// the database must open, load, pass verify, and hold every block the
// child had reported connected, with a tip at least as high as the last one
// reported.
#include "store_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fcntl.h>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace chainkit;
using namespace chainkit::test;

namespace {

constexpr int KILLS = 50;
constexpr int BLOCKS_PER_CHILD = 8;

// Up to 3 transactions, each spending one distinct coin of `key` to itself.
std::vector<chain::Transaction> self_payments(const chain::ChainState& cs, const TestKey& key) {
    std::vector<chain::Transaction> txs;
    auto coins = cs.coins_for(key.key_hash);
    if (!coins) return txs;
    for (std::size_t i = 0; i < coins->size() && txs.size() < 3; ++i) {
        const auto& c = (*coins)[i];
        if (c.coin.out.value < 2) continue;
        const auto half = c.coin.out.value / 2;
        txs.push_back(make_spend(
            {c}, key, {chain::TxOut{half, key.key_hash}, chain::TxOut{c.coin.out.value - half, key.key_hash}}));
    }
    return txs;
}

// The child: never returns. Reports each new tip hash on `fd` once
// accept_block has returned (the block is then "reported connected").
[[noreturn]] void child_main(const std::filesystem::path& dir, int fd, unsigned seed) {
    const auto p = chain::params_for(chain::Network::regtest);
    const auto key = TestKey::from_seed(1);
    auto db = store::open(dir, p, store::OpenMode::read_write);
    if (!db) _exit(2);
    chain::ChainState cs(p, **db);
    if (!cs.load_or_create(make_genesis(p, key.key_hash))) _exit(3);
    const std::int64_t now = GENESIS_TIME + 100'000'000;
    for (int i = 0; i < BLOCKS_PER_CHILD; ++i) {
        std::vector<chain::Block> blocks;
        if ((static_cast<unsigned>(i) + seed) % 4 == 3 && cs.height() > 0) {
            // Two blocks on the tip's parent: the second causes a reorg of depth 1.
            const auto parent = *cs.block_hash_at(cs.height() - 1);
            blocks.push_back(build_on(cs, p, parent, key.key_hash, {}, 0, seed * 100 + static_cast<unsigned>(i) + 1));
            if (!cs.accept_block(blocks.back(), now).ok()) _exit(4);
            blocks.push_back(build_on(cs, p, blocks.back().hash(), key.key_hash, {}, 0, 1));
        } else {
            blocks.push_back(build_on(cs, p, cs.tip().hash, key.key_hash, self_payments(cs, key)));
        }
        if (!cs.accept_block(blocks.back(), now).ok()) _exit(5);
        const auto tip = cs.tip().hash;
        if (::write(fd, tip.data(), tip.SIZE) != static_cast<ssize_t>(tip.SIZE)) _exit(6);
    }
    ::pause();
    _exit(0);
}

std::vector<chain::BlockHash> read_reports(int fd) {
    std::vector<chain::BlockHash> out;
    std::array<std::uint8_t, 32> buf{};
    std::size_t have = 0;
    while (true) {
        const auto n = ::read(fd, buf.data() + have, buf.size() - have);
        if (n <= 0) break;
        have += static_cast<std::size_t>(n);
        if (have == buf.size()) {
            out.emplace_back(buf);
            have = 0;
        }
    }
    return out;
}

}  // namespace

TEST_CASE("SIGKILL at random instants never leaves an inconsistent database or loses a reported block",
          "[store][crash]") {
    ScratchDir dir{"chainkit_store"};
    std::mt19937 rng(20261124);
    std::uniform_int_distribution<int> delay_us(0, 400'000);
    const auto p = chain::params_for(chain::Network::regtest);
    std::uint64_t reported_total = 0;
    for (int kill = 0; kill < KILLS; ++kill) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            child_main(dir.path(), fds[1], static_cast<unsigned>(kill));
        }
        ::close(fds[1]);
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
        ::kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        INFO("kill " << kill << " child status " << status);
        // Killed by us, never exited on its own with a failure.
        REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
        const auto reports = read_reports(fds[0]);
        ::close(fds[0]);
        reported_total += reports.size();

        auto db = store::open(dir.path(), p, store::OpenMode::read_write);
        REQUIRE(db.ok());
        auto meta = (*db)->read_meta();
        REQUIRE(meta.ok());
        if (!*meta) {  // killed before the genesis was written
            CHECK(reports.empty());
            continue;
        }
        chain::ChainState cs(p, **db);
        auto loaded = cs.load();
        INFO((loaded.ok() ? std::string() : loaded.error().message));
        REQUIRE(loaded.ok());
        auto report = cs.verify();
        REQUIRE(report.ok());
        INFO(report->first_difference);
        REQUIRE(report->ok);
        for (const auto& h : reports) CHECK(cs.have_block(h));
        if (!reports.empty()) CHECK(cs.height() >= *cs.height_of(reports.back()));
    }
    WARN("reported " << reported_total);
    CHECK(reported_total > 0);  // the kills did land between connects
}
