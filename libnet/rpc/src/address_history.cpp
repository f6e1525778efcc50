// getaddresshistory: an address's transactions in the last N blocks of the
// active chain. The node keeps no address-to-transaction index, so the
// method scans blocks, and N is bounded (MAX_HISTORY_BLOCKS) to bound the
// chain thread's work per call.
#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/params.hpp"

#include "json_format.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chainkit::rpc {
namespace {

constexpr std::uint64_t DEFAULT_HISTORY_BLOCKS = 100;
constexpr std::uint64_t MAX_HISTORY_BLOCKS = 1000;

struct Entry {
    chain::TxId txid;
    std::uint64_t height = 0;
    chain::BlockHash block;
    std::uint32_t time = 0;
    chain::Amount received = 0;
    std::optional<chain::Amount> sent;  // unknown when a spent coin is older than the window
};

struct History {
    std::uint64_t from = 0, to = 0;
    std::vector<Entry> entries;  // oldest first
    std::string error;           // a block of the active chain could not be read
};

// One transaction's part for `key`, or nullopt if it neither pays nor spends from it.
// `coins` holds the window's outputs to `key`, to price its spends.
std::optional<Entry> entry_for(const chain::Transaction& tx, const chain::KeyHash& key,
                               std::map<chain::OutPoint, chain::Amount>& coins) {
    Entry e;
    bool involved = false;
    chain::Amount sent = 0;
    bool sent_known = true;
    if (!tx.is_coinbase()) {
        for (const auto& in : tx.inputs) {
            if (chain::key_hash_of(in.pubkey) != key) continue;
            involved = true;
            const auto it = coins.find(in.prevout);
            if (it == coins.end()) {
                sent_known = false;
                continue;
            }
            sent += it->second;
            coins.erase(it);
        }
    }
    const auto txid = tx.txid();
    for (std::uint32_t n = 0; n < tx.outputs.size(); ++n) {
        if (tx.outputs[n].key_hash != key) continue;
        involved = true;
        e.received += tx.outputs[n].value;
        coins.emplace(chain::OutPoint{txid, n}, tx.outputs[n].value);
    }
    if (!involved) return std::nullopt;
    e.txid = txid;
    if (sent_known) e.sent = sent;
    return e;
}

History scan(const chain::ChainState& cs, const chain::KeyHash& key, std::uint64_t blocks) {
    History h;
    h.to = cs.height();
    h.from = h.to + 1 > blocks ? h.to + 1 - blocks : 0;
    std::map<chain::OutPoint, chain::Amount> coins;
    for (auto height = h.from; height <= h.to; ++height) {
        const auto hash = cs.block_hash_at(height);
        auto block = hash ? cs.read_block(*hash) : std::nullopt;
        if (!block) {
            h.error = "block at height " + std::to_string(height) + " could not be read";
            return h;
        }
        for (const auto& tx : block->txs) {
            auto e = entry_for(tx, key, coins);
            if (!e) continue;
            e->height = height;
            e->block = *hash;
            e->time = block->header.time;
            h.entries.push_back(std::move(*e));
        }
    }
    return h;
}

Json getaddresshistory(const ChainAccess& a, const Json& params) {
    const Params p(params, {"address", "blocks"});
    const auto address = p.string(0);
    const auto key = detail::parse_address(address, a.params);
    const auto blocks = p.optional_uint(1).value_or(DEFAULT_HISTORY_BLOCKS);
    if (blocks == 0 || blocks > MAX_HISTORY_BLOCKS)
        p.fail(1, "blocks must be between 1 and " + std::to_string(MAX_HISTORY_BLOCKS));
    const auto h =
        a.read([key, blocks](const chain::ChainState& cs, const chain::Mempool&) { return scan(cs, key, blocks); });
    if (!h.error.empty()) throw RpcError(RpcCode::database_error, h.error);
    Json txs = Json::array();
    for (auto it = h.entries.rbegin(); it != h.entries.rend(); ++it)
        txs.push_back({{"txid", it->txid.hex()},
                       {"height", it->height},
                       {"blockhash", it->block.hex()},
                       {"time", it->time},
                       {"received", it->received},
                       {"sent", it->sent ? Json(*it->sent) : Json(nullptr)}});
    return Json{{"address", address}, {"fromheight", h.from}, {"toheight", h.to}, {"txs", std::move(txs)}};
}

}  // namespace

void register_address_history(MethodRegistry& methods, const std::shared_ptr<const ChainAccess>& access) {
    methods.add("getaddresshistory", [access](const Json& params) { return getaddresshistory(*access, params); });
}

}  // namespace chainkit::rpc
