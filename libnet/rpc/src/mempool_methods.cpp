// getrawmempool, getmempoolinfo, sendrawtransaction.
#include "chainkit/chain/block.hpp"
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/params.hpp"

#include <string>
#include <utility>
#include <vector>

namespace chainkit::rpc {
namespace {

using Access = std::shared_ptr<const ChainAccess>;

struct PoolEntry {
    chain::TxId txid;
    chain::Amount fee = 0;
    std::size_t size = 0;
    std::vector<chain::TxId> depends;
};

Json getrawmempool(const ChainAccess& a, const Json& params) {
    const Params p(params, {"verbose"});
    const bool verbose = p.boolean(0, false);
    const auto entries = a.read([verbose](const chain::ChainState&, const chain::Mempool& pool) {
        std::vector<PoolEntry> out;
        for (const auto* e : pool.entries())
            out.push_back(
                PoolEntry{e->txid, e->fee, e->size, verbose ? pool.parents_in_pool(*e) : std::vector<chain::TxId>{}});
        return out;
    });
    if (!verbose) {
        Json txids = Json::array();
        for (const auto& e : entries) txids.push_back(e.txid.hex());
        return txids;
    }
    Json out = Json::object();
    for (const auto& e : entries) {
        Json depends = Json::array();
        for (const auto& d : e.depends) depends.push_back(d.hex());
        out[e.txid.hex()] = Json{{"fee", e.fee}, {"size", e.size}, {"depends", std::move(depends)}};
    }
    return out;
}

Json getmempoolinfo(const ChainAccess& a, const Json& params) {
    (void)Params(params, {});
    struct Info {
        std::size_t size, bytes, max_bytes;
    };
    const auto info = a.read([](const chain::ChainState&, const chain::Mempool& pool) {
        return Info{pool.size(), pool.bytes(), pool.max_bytes()};
    });
    return Json{{"size", info.size},
                {"bytes", info.bytes},
                {"maxmempool", info.max_bytes},
                {"minrelayfeerate", a.params.min_fee_rate}};
}

chain::Transaction decode_transaction(const Params& p, const ChainAccess& a) {
    const auto hex = p.string(0);
    if (hex.size() > 2 * a.params.max_block_size) p.fail(0, "transaction larger than a block");
    chain::Bytes bytes;
    if (!chain::parse_hex(hex, bytes)) p.fail(0, "expected hex digits");
    chain::Transaction tx;
    chain::DecodeError err{};
    if (!chain::decode(bytes, tx, &err))
        throw RpcError(RpcCode::deserialization_error, "TX decode failed: " + std::string(chain::to_string(err)));
    return tx;
}

Json sendrawtransaction(const ChainAccess& a, const Json& params) {
    const Params p(params, {"hexstring"});
    auto tx = decode_transaction(p, a);
    const auto txid = tx.txid();
    const auto result = call_on(
        a.network, a.timeout,
        [submit = a.submit_transaction, tx = std::move(tx)]() mutable -> asio::awaitable<chain::ValidationResult> {
            co_return co_await submit(std::move(tx));
        });
    if (result.reason == chain::RejectReason::already_have)
        throw RpcError(RpcCode::verify_already_in_chain, "transaction already in the mempool or the chain");
    if (!result.ok())
        throw RpcError(RpcCode::verify_rejected, std::string(chain::to_string(result.reason)) + ": " + result.message);
    return txid.hex();
}

}  // namespace

void register_mempool_methods(MethodRegistry& methods, const Access& access) {
    methods.add("getrawmempool", [access](const Json& params) { return getrawmempool(*access, params); });
    methods.add("getmempoolinfo", [access](const Json& params) { return getmempoolinfo(*access, params); });
    if (access->submit_transaction)
        methods.add("sendrawtransaction", [access](const Json& params) { return sendrawtransaction(*access, params); });
}

}  // namespace chainkit::rpc
