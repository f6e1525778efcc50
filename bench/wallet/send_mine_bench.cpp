// Bar: `send --mine` time stays flat as the chain grows from 10 to 10,000
// blocks (the original design scans the whole chain for every input).
//
// One regtest node in a scratch directory. The chain grows with blocks paying
// a key outside the wallet, and each size is measured with a fresh sender
// funded by one coinbase, so the wallet's own outputs are the same at every
// size: what grows is only the chain. At 10, 100, 1,000 and 10,000 blocks it times
//   - in process: cmd_send(--mine) with the chain open (coin lookup from the
//     address index, selection, signing, mining, connecting the block);
//   - the real binary: `wallet send --mine`, process start to exit (adds
//     opening RocksDB and loading the block index).
// Usage: wallet_send_bench [max_blocks=10000] [reps=15]
#include "chainkit/wallet/address.hpp"

#include "common/commands.hpp"
#include "common/genesis_file.hpp"
#include "support/scratch_dir.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <vector>

using namespace chainkit;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Figures {
    std::uint64_t height;
    double in_process_ms;
    double binary_ms;
};

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t max_blocks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 15;
    // Below 10 blocks there is no figure, below 1 rep no median.
    if (max_blocks < 10 || max_blocks > 1'000'000 || reps < 1 || reps > 1000) {
        fmt::print(stderr,
                   "usage: wallet_send_bench [max_blocks 10..1000000, default 10000] [reps 1..1000, default 15]\n");
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);  // the chain state logs every block at info
    test::ScratchDir dir("send-bench");
    apps::Config config;
    config.params = chain::params_for(chain::Network::regtest);
    config.data_dir = dir / "blockchain";
    config.wallet_path = dir / "wallet.dat";
    apps::NodeContext ctx(config);
    std::ostringstream sink;
    apps::cmd_createwallet(ctx, sink);
    apps::cmd_createwallet(ctx, sink);
    const auto bank = ctx.wallet->addresses()[0];  // funds each size's sender
    const auto bob = ctx.wallet->addresses()[1];
    const auto miner = wallet::KeyPair::generate().key_hash();

    // Growth blocks ask for a timestamp in the past, so each gets median time
    // past + 1: the chain advances ~1 s per 6 blocks and never runs more than
    // the allowed 2 h ahead of the clock the sends use.
    const std::int64_t t0 = apps::now_seconds() - 3600;
    ctx.create_chain(apps::mine_genesis(config.params, *wallet::parse_address(bank, config.params), t0, {}));

    std::vector<Figures> figures;
    for (std::uint64_t target = 10; target <= max_blocks; target *= 10) {
        while (ctx.chain->height() + 1 < target) apps::mine_and_connect(ctx, {}, miner, t0);
        // A fresh sender per size, funded with one 1-coin output by the block
        // that brings the chain to `target` (regtest halves the subsidy every
        // 150 blocks, so a coinbase would be worth nothing at 10,000): every
        // size starts from the same wallet state; only the chain's length differs.
        apps::cmd_createwallet(ctx, sink);
        const auto alice = ctx.wallet->addresses().back();
        apps::cmd_send(ctx, apps::SendArgs{bank, alice, "1", std::nullopt, std::nullopt, true, {}}, sink);
        const apps::SendArgs send{alice, bob, "0.001", std::nullopt, std::nullopt, true, {}};
        const std::string cmd =
            fmt::format("'{}' --data-dir '{}' --wallet '{}' send --from {} --to {} --amount 0.001 --mine >/dev/null",
                        CHAINKIT_WALLET_BIN, config.data_dir.string(), config.wallet_path.string(), alice, bob);
        std::vector<double> in_process, binary;
        for (int i = 0; i < reps; ++i) {
            const auto start = Clock::now();
            apps::cmd_send(ctx, send, sink);
            in_process.push_back(ms_since(start));
        }
        ctx.close_chain();  // the binary needs the database lock
        for (int i = 0; i < std::max(3, reps / 3); ++i) {
            const auto start = Clock::now();
            if (std::system(cmd.c_str()) != 0) {
                fmt::print(stderr, "wallet binary failed\n");
                return 1;
            }
            binary.push_back(ms_since(start));
        }
        ctx.open_chain(apps::ChainAccess::read_write);
        figures.push_back({target, median(in_process), median(binary)});
        fmt::print("height {:>6}: send --mine in process {:8.3f} ms, wallet binary {:8.2f} ms (medians)\n", target,
                   figures.back().in_process_ms, figures.back().binary_ms);
    }
    const auto& first = figures.front();
    const auto& last = figures.back();
    fmt::print("ratio {} -> {} blocks: in process {:.2f}x, binary {:.2f}x (bar: flat, ~1.0x)\n", first.height,
               last.height, last.in_process_ms / first.in_process_ms, last.binary_ms / first.binary_ms);
    return 0;
}
