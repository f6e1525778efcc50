// getblockchaininfo, getblockcount, getblockhash, getblockheader, getblock.
#include "chainkit/rpc/chain_methods.hpp"

#include "chainkit/chain/block.hpp"
#include "chainkit/rpc/params.hpp"

#include "json_format.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace chainkit::rpc {
namespace {

using Access = std::shared_ptr<const ChainAccess>;
using BlockRef = std::variant<chain::BlockHash, std::uint64_t>;

// A block named by its hash (64 hex digits) or its height on the active chain.
BlockRef block_ref(const Params& p, std::size_t i) {
    const Json& v = p.required(i);
    if (v.is_string()) {
        if (auto h = chain::BlockHash::from_hex(v.get<std::string>())) return *h;
        p.fail(i, "expected a block hash of 64 hex digits or a height");
    }
    return p.uint(i);
}

// What a block lookup copies out of the chain state on the chain thread.
struct Lookup {
    std::optional<chain::BlockHeader> header;
    std::optional<chain::Block> block;  // when the body was asked for and is stored
    detail::BlockPlace place;
};

Lookup look_up(const chain::ChainState& cs, const BlockRef& ref, bool want_body) {
    Lookup out;
    std::optional<chain::BlockHash> hash;
    if (const auto* height = std::get_if<std::uint64_t>(&ref))
        hash = cs.block_hash_at(*height);
    else
        hash = std::get<chain::BlockHash>(ref);
    if (!hash) return out;
    out.header = cs.header(*hash);
    if (!out.header) return out;
    out.place.height = cs.height_of(*hash).value_or(0);
    if (cs.on_active_chain(*hash)) {
        out.place.confirmations = static_cast<std::int64_t>(cs.height() - out.place.height + 1);
        out.place.next = cs.block_hash_at(out.place.height + 1);
    }
    if (want_body) out.block = cs.read_block(*hash);
    return out;
}

[[noreturn]] void not_found(const BlockRef& ref) {
    if (std::holds_alternative<std::uint64_t>(ref))
        throw RpcError(RpcCode::invalid_parameter, "Block height out of range");
    throw RpcError(RpcCode::invalid_address_or_key, "Block not found");
}

// Answered from the published summary (ChainAccess::chain_summary): during
// a sync the chain thread has block validations queued, and a status poll
// must not wait behind them (docs/performance.md, "RPC under load").
Json blockchain_info(const ChainAccess& a, const chain::ChainSummary& info) {
    const auto headers = std::max(info.best_header.height, info.tip.height);
    return Json{{"chain", std::string(a.params.name)},
                {"blocks", info.tip.height},
                {"headers", headers},
                {"bestblockhash", info.tip.hash.hex()},
                {"genesishash", info.genesis.hex()},
                {"chainwork", info.tip.work.hex()},
                {"difficulty", detail::difficulty(info.tip_bits, a.params)},
                {"mediantime", info.median_time},
                {"verificationprogress", headers == 0 ? 1.0 : static_cast<double>(info.tip.height) / headers},
                {"initialblockdownload", info.tip.height < headers}};
}

// getblockchaininfo's result, serialized once per chain summary: under a
// status poll (issue 14) the same few hundred bytes are asked for thousands
// of times between two tip changes. Keyed by every summary field the result
// shows, so a new tip or a new best header rebuilds it.
class BlockchainInfoCache {
public:
    std::shared_ptr<const std::string> get(const ChainAccess& a) {
        const auto info = a.chain_summary();
        const std::lock_guard lock(m_mutex);
        if (!m_text || !same_answer(m_key, info)) {
            m_text = std::make_shared<const std::string>(blockchain_info(a, info).dump());
            m_key = info;
        }
        return m_text;
    }

private:
    static bool same_answer(const chain::ChainSummary& x, const chain::ChainSummary& y) {
        return x.tip.hash == y.tip.hash && x.tip.height == y.tip.height &&
               x.best_header.height == y.best_header.height && x.tip_bits == y.tip_bits &&
               x.median_time == y.median_time && x.genesis == y.genesis;
    }

    std::mutex m_mutex;
    chain::ChainSummary m_key;                  // guarded by m_mutex
    std::shared_ptr<const std::string> m_text;  // guarded by m_mutex; null until the first call
};

Json getblockheader(const ChainAccess& a, const Json& params) {
    const Params p(params, {"blockhash", "verbose"});
    const auto ref = block_ref(p, 0);
    const bool verbose = p.boolean(1, true);
    const auto found =
        a.read([ref](const chain::ChainState& cs, const chain::Mempool&) { return look_up(cs, ref, false); });
    if (!found.header) not_found(ref);
    if (!verbose) return chain::to_hex(found.header->encode());
    return detail::header_json(*found.header, found.place, a.params);
}

Json getblock(const ChainAccess& a, const Json& params) {
    const Params p(params, {"blockhash", "verbosity"});
    const auto ref = block_ref(p, 0);
    const auto verbosity = p.optional_uint(1).value_or(1);
    if (verbosity > 1) p.fail(1, "verbosity must be 0 (hex) or 1 (json)");
    auto found = a.read([ref](const chain::ChainState& cs, const chain::Mempool&) { return look_up(cs, ref, true); });
    if (!found.header) not_found(ref);
    if (!found.block) throw RpcError(RpcCode::misc_error, "Block not available (only its header is known)");
    if (verbosity == 0) return chain::to_hex(chain::encode(*found.block));
    return detail::block_json(*found.block, found.place, a.params);
}

}  // namespace

void register_blockchain_methods(MethodRegistry& methods, const Access& access) {
    methods.add_serialized("getblockchaininfo",
                           [access, cache = std::make_shared<BlockchainInfoCache>()](const Json& params) {
                               (void)Params(params, {});
                               return cache->get(*access);
                           });
    methods.add("getblockcount", [access](const Json& params) {
        (void)Params(params, {});
        return Json(access->chain_summary().tip.height);
    });
    methods.add("getblockhash", [access](const Json& params) {
        const Params p(params, {"height"});
        const auto height = p.uint(0);
        const auto hash = access->read(
            [height](const chain::ChainState& cs, const chain::Mempool&) { return cs.block_hash_at(height); });
        if (!hash) throw RpcError(RpcCode::invalid_parameter, "Block height out of range");
        return Json(hash->hex());
    });
    methods.add("getblockheader", [access](const Json& params) { return getblockheader(*access, params); });
    methods.add("getblock", [access](const Json& params) { return getblock(*access, params); });
}

void register_chain_methods(MethodRegistry& methods, std::shared_ptr<const ChainAccess> access) {
    register_blockchain_methods(methods, access);
    register_mempool_methods(methods, access);
    register_address_methods(methods, access);
    register_address_history(methods, access);
    register_transaction_methods(methods, access);
}

}  // namespace chainkit::rpc
