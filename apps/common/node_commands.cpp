#include "node_commands.hpp"

#include "chainkit/chain/block.hpp"

#include "errors.hpp"
#include "node_link.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace chainkit::apps {

std::unique_ptr<rpc::RpcClient> running_node(const NodeContext& ctx) {
    // In-process callers that opened the chain (or run the node) own the database.
    if (ctx.node_lock || ctx.chain) return nullptr;
    return connect_running_node(ctx.config);
}

void print_balance(const std::string& address, chain::Amount confirmed, chain::Amount unconfirmed, std::ostream& out) {
    if (unconfirmed == 0)
        fmt::print(out, "Balance of '{}': {}\n", address, chain::format_coins(confirmed));
    else
        fmt::print(out, "Balance of '{}': {} (unconfirmed: {}{})\n", address, chain::format_coins(confirmed),
                   unconfirmed > 0 ? "+" : "", chain::format_coins(unconfirmed));
}

void getbalance_via_node(rpc::RpcClient& node, const std::string& address, std::ostream& out) {
    const auto r = call_node(node, "getbalance", rpc::Json::array({address}));
    print_balance(address, r.at("confirmed").get<chain::Amount>(), r.at("unconfirmed").get<chain::Amount>(), out);
}

void printchain_via_node(rpc::RpcClient& node, const NodeContext& ctx, const PrintChainArgs& args, std::ostream& out) {
    const auto tip = call_node(node, "getblockcount").get<std::uint64_t>();
    // The raw block (verbosity 0) prints exactly as one read from the database.
    const BlockAt block_at = [&node](std::uint64_t height) -> std::optional<chain::Block> {
        const auto hex = call_node(node, "getblock", rpc::Json::array({height, 0})).get<std::string>();
        chain::Bytes bytes;
        chain::Block block;
        if (!chain::parse_hex(hex, bytes) || !chain::decode(bytes, block))
            throw UserError(fmt::format("the node sent an undecodable block at height {}", height));
        return block;
    };
    print_chain(args, tip, block_at, ctx.config.params, out);
}

void verify_via_node(rpc::RpcClient& node, std::ostream& out) {
    const auto r = call_node(node, "verifychain");
    if (!r.at("ok").get<bool>())
        throw UserError(fmt::format("verify failed: {}", r.at("first_difference").get<std::string>()));
    fmt::print(out, "ok: chain of height {} verified, {} unspent outputs match the blocks\n",
               r.at("height").get<std::uint64_t>(), r.at("coins_checked").get<std::size_t>());
}

void mine_via_node(rpc::RpcClient& node, const std::string& address, std::uint64_t blocks, std::ostream& out) {
    const auto hashes = call_node(node, "generatetoaddress", rpc::Json::array({blocks, address}));
    for (const auto& h : hashes) {
        const auto header = call_node(node, "getblockheader", rpc::Json::array({h}));
        fmt::print(out, "mined block {} at height {}\n", h.get<std::string>(),
                   header.at("height").get<std::uint64_t>());
    }
}

}  // namespace chainkit::apps
