// gettransaction and verifychain.
#include "chainkit/chain/block.hpp"
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/params.hpp"

#include "json_format.hpp"

#include <optional>
#include <string>
#include <utility>

namespace chainkit::rpc {
namespace {

using Access = std::shared_ptr<const ChainAccess>;

// There is no transaction index: without a block hash, gettransaction looks
// through the mempool and this many blocks below the tip (one chain job, so
// the scan costs the chain thread a bounded time).
constexpr std::uint64_t TX_SCAN_BLOCKS = 1'000;

struct Found {
    std::optional<chain::Transaction> tx;
    bool in_mempool = false;
    chain::Amount fee = 0;
    std::size_t size = 0;
    chain::BlockHash block;
    std::uint64_t height = 0;
    std::uint64_t tip_height = 0;
    bool block_known = true;  // false: the blockhash given names no stored block
};

bool find_in_block(const chain::ChainState& cs, const chain::BlockHash& hash, const chain::TxId& txid, Found& out) {
    auto block = cs.read_block(hash);
    if (!block) return false;
    for (auto& tx : block->txs) {
        if (tx.txid() != txid) continue;
        out.tx = std::move(tx);
        out.block = hash;
        out.height = cs.height_of(hash).value_or(0);
        return true;
    }
    return false;
}

Found find_tx(const chain::ChainState& cs, const chain::Mempool& pool, const chain::TxId& txid,
              const std::optional<chain::BlockHash>& in_block) {
    Found out;
    out.tip_height = cs.height();
    if (in_block) {
        out.block_known = cs.have_block(*in_block);
        if (out.block_known) find_in_block(cs, *in_block, txid, out);
        return out;
    }
    if (const auto* e = pool.get(txid)) {
        out.tx = e->tx;
        out.in_mempool = true;
        out.fee = e->fee;
        out.size = e->size;
        return out;
    }
    for (std::uint64_t i = 0; i < TX_SCAN_BLOCKS && i <= out.tip_height; ++i) {
        const auto hash = cs.block_hash_at(out.tip_height - i);
        if (hash && find_in_block(cs, *hash, txid, out)) return out;
    }
    return out;
}

Json gettransaction(const ChainAccess& a, const Json& params) {
    const Params p(params, {"txid", "blockhash"});
    const auto txid = chain::TxId::from_hex(p.string(0));
    if (!txid) p.fail(0, "expected a transaction id of 64 hex digits");
    std::optional<chain::BlockHash> in_block;
    if (p.get(1)) {
        in_block = chain::BlockHash::from_hex(p.string(1));
        if (!in_block) p.fail(1, "expected a block hash of 64 hex digits");
    }
    const auto found = a.read([t = *txid, in_block](const chain::ChainState& cs, const chain::Mempool& pool) {
        return find_tx(cs, pool, t, in_block);
    });
    if (!found.block_known) throw RpcError(RpcCode::invalid_address_or_key, "Block not found");
    if (!found.tx)
        throw RpcError(RpcCode::invalid_address_or_key,
                       in_block ? "No such transaction in the given block"
                                : "No such mempool or blockchain transaction in the last " +
                                      std::to_string(TX_SCAN_BLOCKS) + " blocks (pass the blockhash for older ones)");
    Json out{{"txid", txid->hex()}, {"in_mempool", found.in_mempool}, {"tx", detail::tx_json(*found.tx, a.params)}};
    if (found.in_mempool) {
        out["confirmations"] = 0;
        out["fee"] = found.fee;
        out["size"] = found.size;
        if (a.peers_with_tx) {
            const auto count =
                call_on(a.network, a.timeout,
                        [f = a.peers_with_tx, t = *txid]() -> asio::awaitable<std::size_t> { co_return f(t); });
            out["peers"] = count;
        }
        return out;
    }
    out["blockhash"] = found.block.hex();
    out["height"] = found.height;
    out["confirmations"] = found.tip_height >= found.height ? found.tip_height - found.height + 1 : 0;
    return out;
}

Json verifychain(const ChainAccess& a, const Json& params) {
    (void)Params(params, {});
    struct Outcome {
        std::string error;
        chain::VerifyReport report;
        std::uint64_t height = 0;
    };
    const auto o = a.read([](const chain::ChainState& cs, const chain::Mempool&) {
        Outcome out;
        out.height = cs.height();
        auto r = cs.verify();
        if (!r)
            out.error = r.error().message;
        else
            out.report = std::move(r).value();
        return out;
    });
    if (!o.error.empty()) throw RpcError(RpcCode::database_error, o.error);
    return Json{{"ok", o.report.ok},
                {"height", o.height},
                {"coins_checked", o.report.coins_checked},
                {"first_difference", o.report.first_difference}};
}

}  // namespace

void register_transaction_methods(MethodRegistry& methods, const Access& access) {
    methods.add("gettransaction", [access](const Json& params) { return gettransaction(*access, params); });
    methods.add("verifychain", [access](const Json& params) { return verifychain(*access, params); });
}

}  // namespace chainkit::rpc
