#include "cli.hpp"

#include "commands.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "runtime.hpp"
#include "startnode.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <iostream>
#include <unistd.h>

namespace chainkit::apps {
namespace {

using Action = std::function<void(NodeContext&)>;

// Argument storage for every subcommand; filled by CLI11 before the action runs.
struct Args {
    std::string address;
    std::string export_genesis = "genesis.dat";
    SendArgs send;
    PrintChainArgs print;
    std::uint64_t blocks = 1;
    StartNodeArgs node;
    unsigned threads = 0;
};

const char* role_name(Role r) {
    switch (r) {
        case Role::central:
            return "central";
        case Role::miner:
            return "miner";
        case Role::wallet:
            return "wallet";
    }
    return "chainkit";
}

void add_shared_commands(CLI::App& app, Args& a, Action& action) {
    app.add_subcommand("createwallet", "Add a new address to this node's wallet")->callback([&] {
        action = [](NodeContext& c) { cmd_createwallet(c, std::cout); };
    });
    app.add_subcommand("listaddresses", "List the addresses of this node's wallet")->callback([&] {
        action = [](NodeContext& c) { cmd_listaddresses(c, std::cout); };
    });
    auto* bal = app.add_subcommand("getbalance", "Confirmed balance of an address");
    bal->add_option("--address", a.address, "Address")->required();
    bal->callback([&] { action = [&](NodeContext& c) { cmd_getbalance(c, a.address, std::cout); }; });
    auto* send = app.add_subcommand("send", "Pay from one of this wallet's addresses");
    send->add_option("--from", a.send.from, "Paying address (in this wallet)")->required();
    send->add_option("--to", a.send.to, "Receiving address")->required();
    send->add_option("--amount", a.send.amount, "Amount in coins, e.g. 3 or 0.5")->required();
    send->add_option("--fee", a.send.fee, "Fee in coins (default: fee rate x size)");
    send->add_option("--fee-rate", a.send.fee_rate, "Fee rate in base units per byte (default: the network minimum)");
    send->add_flag("--mine", a.send.mine, "Mine the block at once on this node, its coinbase paying the sender");
    send->add_option("--connect", a.send.connect,
                     "With no node running here: peer to hand the payment to (repeatable)");
    send->callback([&] { action = [&](NodeContext& c) { cmd_send(c, a.send, std::cout); }; });
    auto* print = app.add_subcommand("printchain", "Blocks from the tip down with their transactions");
    print->add_flag("--json", a.print.json, "JSON output");
    print->add_option("--from", a.print.from, "Start height (default: the tip)");
    print->add_option("--count", a.print.count, "Number of blocks (default: down to genesis)");
    print->callback([&] {
        a.print.color = ::isatty(STDOUT_FILENO) == 1;
        action = [&](NodeContext& c) { cmd_printchain(c, a.print, std::cout); };
    });
    app.add_subcommand("reindexutxo", "Rebuild the UTXO set from the stored blocks")->callback([&] {
        action = [](NodeContext& c) { cmd_reindexutxo(c, std::cout); };
    });
    app.add_subcommand("verify", "Check the stored UTXO set against the blocks")->callback([&] {
        action = [](NodeContext& c) { cmd_verify(c, std::cout); };
    });
}

void add_rpc_options(CLI::App& sn, RpcOptions& rpc) {
    sn.add_flag_callback(
        "--rpc", [&rpc] { rpc.enabled = true; }, "Serve JSON-RPC (the default; see --no-rpc)");
    sn.add_flag_callback(
        "--no-rpc", [&rpc] { rpc.enabled = false; },
        "No JSON-RPC: other commands on this data directory then refuse while the node runs");
    sn.add_option("--rpc-port", rpc.port, "JSON-RPC port (default NODE_ID + 10000; 0: any free port)");
    sn.add_option("--rpc-bind", rpc.bind, "JSON-RPC listen address (default 127.0.0.1)");
}

void add_startnode(Role role, CLI::App& app, Args& a, Action& action) {
    auto* sn = app.add_subcommand("startnode", "Run this node on the network until Ctrl-C");
    sn->add_option("--connect", a.node.connect,
                   "Peer to keep connected, e.g. /ip4/127.0.0.1/tcp/3000[/p2p/<id>] (repeatable)");
    sn->add_option("--listen", a.node.listen, "Listen multiaddr (default /ip4/127.0.0.1/tcp/<NODE_ID>)");
    sn->add_option("--max-inbound", a.node.max_inbound, "Most inbound peers (default 117)")
        ->check(CLI::Range(0, 10'000));
    sn->add_option("--max-outbound", a.node.max_outbound, "Outbound peers to keep (default 8)")
        ->check(CLI::Range(0, 1'000));
    sn->add_option("--sig-cache-mib", a.node.sig_cache_mib,
                   "Memory for signatures the pool verified, so blocks skip them (default 8; 0: off)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{4096}));
    add_rpc_options(*sn, a.node.rpc);
    if (role == Role::miner) {
        sn->add_option("--miner", a.node.miner_address, "Mine, paying block rewards to this address");
        sn->add_option("--threads", a.node.threads, "Mining threads (default: one per hardware thread)")
            ->check(CLI::Range(0u, 256u));
        sn->add_option("--min-txs", a.node.min_txs, "Mine once this many transactions wait (default 2)")
            ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
        sn->add_flag("--continuous", a.node.continuous, "Mine all the time, empty blocks too");
    }
    sn->callback(
        [&, role] { action = [&, role](NodeContext& c) { cmd_startnode(c, role_name(role), a.node, std::cout); }; });
}

void add_role_commands(Role role, CLI::App& app, Args& a, Action& action) {
    add_startnode(role, app, a, action);
    if (role == Role::central) {
        auto* create = app.add_subcommand("createblockchain", "Create a new chain whose genesis pays ADDRESS");
        create->add_option("--address", a.address, "Address the genesis coinbase pays")->required();
        create->add_option("--export-genesis", a.export_genesis, "Where to write the genesis file for other nodes");
        create->callback(
            [&] { action = [&](NodeContext& c) { cmd_createblockchain(c, a.address, a.export_genesis, std::cout); }; });
    }
    if (role == Role::miner) {
        auto* mine = app.add_subcommand("mine", "Mine blocks on this node's tip");
        mine->add_option("--address", a.address, "Address the coinbases pay")->required();
        mine->add_option("--blocks", a.blocks, "Number of blocks")->check(CLI::Range(1, 1'000'000));
        mine->add_option("--threads", a.threads, "Search threads (default 0: one per hardware thread)")
            ->check(CLI::Range(0u, chain::MAX_MINER_THREADS));
        mine->callback(
            [&] { action = [&](NodeContext& c) { cmd_mine(c, a.address, a.blocks, std::cout, a.threads); }; });
    }
}

int report(const std::string& message, int code) {
    std::cerr << "error: " << message << '\n';
    return code;
}

}  // namespace

int run_app(Role role, int argc, char** argv) {
    try {
        CLI::App app{fmt::format("chainkit {} node", role_name(role)), role_name(role)};
        app.require_subcommand(1);
        app.fallthrough();  // common options also after the command name
        CommonOptions options;
        add_common_options(app, options);
        Args args;
        Action action;
        add_shared_commands(app, args, action);
        add_role_commands(role, app, args, action);
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == 0) return app.exit(e);  // --help
            return report(e.what(), 2);
        }
        NodeContext ctx(resolve_config(options));
        SignalWatcher signals(ctx.stop);  // before any thread starts
        setup_logging(options.log_level);
        action(ctx);
        return 0;
    } catch (const UserError& e) {
        return report(e.what(), e.exit_code());
    } catch (const std::exception& e) {
        return report(e.what(), 1);
    }
}

}  // namespace chainkit::apps
