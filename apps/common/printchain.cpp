// printchain: blocks from a height (default the tip) down, as text (colored
// on a terminal) or JSON.
#include "chainkit/chain/pow.hpp"
#include "chainkit/wallet/address.hpp"

#include "commands.hpp"
#include "errors.hpp"
#include "node_commands.hpp"

#include <fmt/chrono.h>
#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include <ctime>

namespace chainkit::apps {
namespace {

struct Painter {
    bool color;
    [[nodiscard]] std::string operator()(fmt::text_style style, const std::string& text) const {
        return color ? fmt::format(style, "{}", text) : text;
    }
};

std::string input_address(const chain::TxIn& in, const chain::ConsensusParams& p) {
    return wallet::encode_address(chain::key_hash_of(in.pubkey), p);
}

std::string utc(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", tm);
}

void print_tx(const chain::Transaction& tx, const chain::ConsensusParams& p, const Painter& paint, std::ostream& out) {
    fmt::print(out, "  {} {}{}\n", paint(fmt::emphasis::bold, "Transaction"),
               paint(fg(fmt::terminal_color::yellow), tx.txid().hex()), tx.is_coinbase() ? " (coinbase)" : "");
    if (!tx.is_coinbase()) {
        for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
            const auto& in = tx.inputs[i];
            fmt::print(out, "    Input {}: {}:{} from {}\n", i, in.prevout.txid.hex(), in.prevout.index,
                       input_address(in, p));
        }
    }
    for (std::size_t i = 0; i < tx.outputs.size(); ++i) {
        const auto& o = tx.outputs[i];
        fmt::print(out, "    Output {}: {} to {}\n", i,
                   paint(fg(fmt::terminal_color::green), chain::format_coins(o.value)),
                   wallet::encode_address(o.key_hash, p));
    }
}

void print_block(const chain::Block& b, std::uint64_t height, const chain::ConsensusParams& p, const Painter& paint,
                 std::ostream& out) {
    fmt::print(out, "{} {}\n",
               paint(fmt::emphasis::bold | fg(fmt::terminal_color::cyan), fmt::format("Block {}", height)),
               paint(fg(fmt::terminal_color::cyan), b.hash().hex()));
    fmt::print(out, "  Prev. block: {}\n  Time: {} ({})\n  Bits: {:08x}  Nonce: {}\n  PoW: {}\n", b.header.prev.hex(),
               utc(b.header.time), b.header.time, b.header.bits, b.header.nonce,
               chain::check_proof_of_work(b.hash(), b.header.bits, p.pow_limit));
    for (const auto& tx : b.txs) print_tx(tx, p, paint, out);
    fmt::print(out, "\n");
}

nlohmann::json block_json(const chain::Block& b, std::uint64_t height, const chain::ConsensusParams& p) {
    nlohmann::json txs = nlohmann::json::array();
    for (const auto& tx : b.txs) {
        nlohmann::json inputs = nlohmann::json::array();
        if (!tx.is_coinbase())
            for (const auto& in : tx.inputs)
                inputs.push_back(
                    {{"txid", in.prevout.txid.hex()}, {"index", in.prevout.index}, {"address", input_address(in, p)}});
        nlohmann::json outputs = nlohmann::json::array();
        for (const auto& o : tx.outputs)
            outputs.push_back({{"value", chain::format_coins(o.value)},
                               {"value_units", o.value},
                               {"address", wallet::encode_address(o.key_hash, p)}});
        txs.push_back(
            {{"txid", tx.txid().hex()}, {"coinbase", tx.is_coinbase()}, {"inputs", inputs}, {"outputs", outputs}});
    }
    return {{"height", height},
            {"hash", b.hash().hex()},
            {"prev", b.header.prev.hex()},
            {"merkle_root", b.header.merkle_root.hex()},
            {"time", b.header.time},
            {"bits", fmt::format("{:08x}", b.header.bits)},
            {"nonce", b.header.nonce},
            {"pow_valid", chain::check_proof_of_work(b.hash(), b.header.bits, p.pow_limit)},
            {"transactions", txs}};
}

}  // namespace

void print_chain(const PrintChainArgs& args, std::uint64_t tip, const BlockAt& block_at,
                 const chain::ConsensusParams& params, std::ostream& out) {
    const auto from = args.from.value_or(tip);
    if (from > tip) throw UserError(fmt::format("--from {} is above the tip height {}", from, tip));
    const auto count = std::min<std::uint64_t>(args.count.value_or(from + 1), from + 1);
    const Painter paint{args.color};
    nlohmann::json blocks = nlohmann::json::array();
    for (std::uint64_t i = 0; i < count; ++i) {
        const auto height = from - i;
        auto block = block_at(height);
        if (!block)
            throw UserError(fmt::format("block at height {} is missing from the database (run verify)", height));
        if (args.json)
            blocks.push_back(block_json(*block, height, params));
        else
            print_block(*block, height, params, paint, out);
    }
    if (args.json) out << blocks.dump(2) << '\n';
}

void cmd_printchain(NodeContext& ctx, const PrintChainArgs& args, std::ostream& out) {
    if (auto node = running_node(ctx)) return printchain_via_node(*node, ctx, args, out);
    auto& chain = ctx.open_chain(ChainAccess::read_only);
    const BlockAt block_at = [&chain](std::uint64_t height) -> std::optional<chain::Block> {
        const auto hash = chain.block_hash_at(height);
        return hash ? chain.read_block(*hash) : std::nullopt;
    };
    print_chain(args, chain.height(), block_at, ctx.config.params, out);
}

}  // namespace chainkit::apps
