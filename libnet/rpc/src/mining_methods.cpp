// getmininginfo, generatetoaddress.
#include "chainkit/rpc/mining_methods.hpp"

#include "chainkit/chain/block_template.hpp"
#include "chainkit/chain/miner.hpp"
#include "chainkit/rpc/params.hpp"

#include "json_format.hpp"

#include <string>
#include <utility>
#include <vector>

namespace chainkit::rpc {
namespace {

using Access = std::shared_ptr<const MiningAccess>;

// Blocks the network hash rate is averaged over (Bitcoin Core's default).
constexpr std::uint64_t HASHRATE_WINDOW = 120;
// generatetoaddress mines at most this many blocks per call: each is mined
// on the HTTP thread, which answers nothing else meanwhile.
constexpr std::uint64_t MAX_GENERATE = 1'000;

struct MiningView {
    std::uint64_t height = 0;
    std::uint32_t bits = 0;
    double expected_hashes = 0;  // over the window
    std::int64_t seconds = 0;    // the window's time span
    std::size_t pooled = 0;
};

MiningView mining_view(const chain::ChainState& cs, const chain::Mempool& pool) {
    MiningView v;
    v.height = cs.height();
    v.pooled = pool.size();
    const auto tip = cs.header(cs.tip().hash);
    v.bits = tip->bits;
    const auto first = v.height > HASHRATE_WINDOW ? v.height - HASHRATE_WINDOW : 0;
    for (auto h = first + 1; h <= v.height; ++h)
        if (const auto hash = cs.block_hash_at(h))
            if (const auto hdr = cs.header(*hash)) v.expected_hashes += detail::hashes_per_block(hdr->bits);
    if (const auto start = cs.block_hash_at(first)) v.seconds = tip->time - cs.header(*start)->time;
    return v;
}

Json getmininginfo(const MiningAccess& a, const Json& params) {
    (void)Params(params, {});
    const auto v = a.chain->read(mining_view);
    const auto status = a.miner ? a.miner() : std::nullopt;
    return Json{{"chain", std::string(a.chain->params.name)},
                {"blocks", v.height},
                {"difficulty", detail::difficulty(v.bits, a.chain->params)},
                {"networkhashps", v.seconds > 0 ? v.expected_hashes / static_cast<double>(v.seconds) : 0.0},
                {"pooledtx", v.pooled},
                {"mining", status.has_value()},
                {"hashespersec", status ? status->hashes_per_second : 0.0},
                {"threads", status ? status->threads : 0u},
                {"blocksfound", status ? status->blocks_found : 0u}};
}

// One block on the current tip from the pool (the one block assembler),
// mined here and handed to the node. Returns its hash.
chain::BlockHash generate_one(const MiningAccess& a, const chain::KeyHash& to, std::uint64_t extra_nonce) {
    const auto& ca = *a.chain;
    const auto now = a.now();
    auto t = ca.read([&ca, to, now, extra_nonce](const chain::ChainState& cs, const chain::Mempool& pool) {
        return chain::make_block_template(pool, cs.next_block_context(now), chain::TemplateOptions{to, 0, extra_nonce},
                                          ca.params);
    });
    chain::MinerOptions opts;
    opts.threads = 1;
    const auto mined = chain::mine_block(t.block, opts);
    if (!mined.header) throw RpcError(RpcCode::internal_error, "mining was interrupted");
    const auto hash = t.block.hash();
    const auto result = call_on(
        ca.network, ca.timeout,
        [submit = a.submit_block, block = std::move(t.block)]() mutable -> asio::awaitable<chain::AcceptResult> {
            co_return co_await submit(std::move(block));
        });
    // already_have: an identical block (same template, same second) from a concurrent call.
    if (!result.ok() && result.validation.reason != chain::RejectReason::already_have)
        throw RpcError(RpcCode::verify_error,
                       "the mined block was refused: " + std::string(chain::to_string(result.validation.reason)) +
                           ": " + result.validation.message);
    return hash;
}

Json generatetoaddress(const MiningAccess& a, const Json& params) {
    const Params p(params, {"nblocks", "address"});
    const auto n = p.uint(0);
    if (n == 0 || n > MAX_GENERATE) p.fail(0, "nblocks must be 1 to " + std::to_string(MAX_GENERATE));
    const auto to = detail::parse_address(p.string(1), a.chain->params);
    if (a.chain->params.network != chain::Network::regtest)
        throw RpcError(RpcCode::misc_error, "generatetoaddress works on regtest only");
    Json hashes = Json::array();
    for (std::uint64_t i = 0; i < n; ++i) hashes.push_back(generate_one(a, to, i).hex());
    return hashes;
}

}  // namespace

void register_mining_methods(MethodRegistry& methods, std::shared_ptr<const MiningAccess> access) {
    methods.add("getmininginfo", [access](const Json& params) { return getmininginfo(*access, params); });
    if (access->submit_block)
        methods.add("generatetoaddress", [access](const Json& params) { return generatetoaddress(*access, params); });
}

}  // namespace chainkit::rpc
