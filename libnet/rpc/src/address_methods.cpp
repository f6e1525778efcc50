// getbalance and listunspent for an address: confirmed coins from the chain
// state's address index, unconfirmed changes from the mempool.
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/params.hpp"

#include "json_format.hpp"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace chainkit::rpc {
namespace {

using Access = std::shared_ptr<const ChainAccess>;

// Copied out of the chain state and the mempool in one chain job, so the
// confirmed and unconfirmed parts describe the same moment.
struct AddressView {
    std::string error;  // the store failed to read the address index
    std::vector<chain::OwnedCoin> coins;
    std::vector<chain::MempoolSpend> spends;
    std::vector<chain::MempoolOutput> outputs;
    std::uint64_t tip_height = 0;
};

AddressView view_of(const ChainAccess& a, const chain::KeyHash& key) {
    auto view = a.read([key](const chain::ChainState& cs, const chain::Mempool& pool) {
        AddressView v;
        auto coins = cs.coins_for(key);
        if (!coins) {
            v.error = coins.error().message;
            return v;
        }
        v.coins = std::move(coins).value();
        v.spends = pool.spends_of(key);
        v.outputs = pool.outputs_to(key);
        v.tip_height = cs.height();
        return v;
    });
    if (!view.error.empty()) throw RpcError(RpcCode::database_error, view.error);
    return view;
}

// Outpoints of confirmed coins that a pool transaction spends.
std::set<chain::OutPoint> spent_in_pool(const AddressView& v) {
    std::set<chain::OutPoint> out;
    for (const auto& s : v.spends) out.insert(s.prevout);
    return out;
}

Json getbalance(const ChainAccess& a, const Json& params) {
    const Params p(params, {"address"});
    const auto address = p.string(0);
    const auto key = detail::parse_address(address, a.params);
    const auto v = view_of(a, key);
    const auto spent = spent_in_pool(v);
    chain::Amount confirmed = 0;
    chain::Amount unconfirmed = 0;
    for (const auto& c : v.coins) {
        confirmed += c.coin.out.value;
        // A spend of an unconfirmed output needs no term here: outputs_to
        // already leaves out the pool outputs the pool spends.
        if (spent.contains(c.outpoint)) unconfirmed -= c.coin.out.value;
    }
    for (const auto& o : v.outputs) unconfirmed += o.out.value;
    return Json{{"address", address},
                {"confirmed", confirmed},
                {"unconfirmed", unconfirmed},
                {"total", confirmed + unconfirmed}};
}

Json listunspent(const ChainAccess& a, const Json& params) {
    const Params p(params, {"address"});
    const auto address = p.string(0);
    const auto key = detail::parse_address(address, a.params);
    const auto v = view_of(a, key);
    const auto spent = spent_in_pool(v);
    Json out = Json::array();
    for (const auto& c : v.coins) {
        if (spent.contains(c.outpoint)) continue;
        // Spendable in the next block: a coinbase needs coinbase_maturity blocks on top.
        const bool mature = !c.coin.coinbase || v.tip_height + 1 >= c.coin.height + a.params.coinbase_maturity;
        out.push_back({{"txid", c.outpoint.txid.hex()},
                       {"vout", c.outpoint.index},
                       {"address", address},
                       {"value", c.coin.out.value},
                       {"height", c.coin.height},
                       {"confirmations", v.tip_height - c.coin.height + 1},
                       {"coinbase", c.coin.coinbase},
                       {"spendable", mature}});
    }
    for (const auto& o : v.outputs)
        out.push_back({{"txid", o.outpoint.txid.hex()},
                       {"vout", o.outpoint.index},
                       {"address", address},
                       {"value", o.out.value},
                       {"confirmations", 0},
                       {"coinbase", false},
                       {"spendable", true}});
    return out;
}

}  // namespace

void register_address_methods(MethodRegistry& methods, const Access& access) {
    methods.add("getbalance", [access](const Json& params) { return getbalance(*access, params); });
    methods.add("listunspent", [access](const Json& params) { return listunspent(*access, params); });
}

}  // namespace chainkit::rpc
