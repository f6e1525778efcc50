#include "chainkit/rpc/node_methods.hpp"

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/bytes.hpp"
#include "chainkit/node/messages.hpp"
#include "chainkit/rpc/params.hpp"

#include <string>
#include <utility>
#include <vector>

namespace chainkit::rpc {
namespace {

using Access = std::shared_ptr<const NodeAccess>;

// f(node, host) on the network executor, its value back on this thread.
template <class F>
auto on_network(const NodeAccess& a, F f) {
    using R = std::invoke_result_t<F&, node::Node&, net::Host&>;
    node::Node* n = &a.node;
    net::Host* h = &a.host;
    return call_on(a.network, a.timeout, [f = std::move(f), n, h]() -> asio::awaitable<R> { co_return f(*n, *h); });
}

Json getpeerinfo(const NodeAccess& a, const Json& params) {
    (void)Params(params, {});
    const auto now = a.now();
    struct Seen {
        node::PeerInfo info;
        bool banned = false;
    };
    const auto peers = on_network(a, [now](node::Node& n, net::Host&) {
        std::vector<Seen> out;
        for (auto& p : n.peers()) out.push_back({p, n.bans().is_banned(p.peer_id, now)});
        return out;
    });
    Json out = Json::array();
    for (const auto& [p, banned] : peers) {
        Json latency = nullptr;
        if (p.latency) latency = static_cast<double>(p.latency->count()) / 1000.0;
        out.push_back({{"id", p.peer_id},
                       {"addr", p.address},
                       {"inbound", p.inbound},
                       {"handshake_done", p.handshake_done},
                       {"subver", p.user_agent},
                       {"synced_headers", p.best_height},
                       {"blocks_in_flight", p.blocks_in_flight},
                       {"latency_ms", latency},
                       {"bytessent", p.bytes_sent},
                       {"bytesrecv", p.bytes_received},
                       {"banned", banned}});
    }
    return out;
}

Json getnetworkinfo(const NodeAccess& a, const Json& params) {
    (void)Params(params, {});
    struct Info {
        std::string id;
        std::vector<std::string> addresses;
        std::size_t in = 0, out = 0;
    };
    const auto info = on_network(a, [](node::Node& n, net::Host& h) {
        Info i;
        i.id = h.peer_id().to_string();
        for (const auto& addr : h.listen_addresses()) i.addresses.push_back(addr.to_string());
        for (const auto& p : n.peers()) (p.inbound ? i.in : i.out)++;
        return i;
    });
    return Json{
        {"protocolversion", node::PROTOCOL_VERSION}, {"localpeerid", info.id},    {"localaddresses", info.addresses},
        {"connections", info.in + info.out},         {"connections_in", info.in}, {"connections_out", info.out}};
}

std::string peer_id_param(const Params& p, std::size_t i) {
    const auto text = p.string(i);
    if (!net::PeerId::parse(text)) p.fail(i, "expected a peer id");
    return text;
}

Json setban(const NodeAccess& a, const Json& params) {
    const Params p(params, {"peer", "command", "bantime", "reason"});
    const auto peer = peer_id_param(p, 0);
    const auto command = p.string(1);
    if (command == "remove") {
        const auto now = a.now();
        const bool was = on_network(a, [peer, now](node::Node& n, net::Host&) {
            const bool banned = n.bans().is_banned(peer, now);
            n.unban(peer);
            return banned;
        });
        if (!was) throw RpcError(RpcCode::invalid_parameter, "peer " + peer + " is not banned");
        return nullptr;
    }
    if (command != "add") p.fail(1, "expected \"add\" or \"remove\"");
    const auto seconds = p.optional_uint(2).value_or(node::DEFAULT_BAN_SECONDS);
    if (seconds == 0 || seconds > 10ull * 365 * 24 * 3600) p.fail(2, "ban time out of range");
    const auto reason = p.get(3) ? p.string(3) : std::string("banned by rpc");
    on_network(a, [peer, seconds, reason](node::Node& n, net::Host&) {
        n.ban(peer, static_cast<std::int64_t>(seconds), reason);
        return true;
    });
    return nullptr;
}

Json listbanned(const NodeAccess& a, const Json& params) {
    (void)Params(params, {});
    const auto records = on_network(a, [](node::Node& n, net::Host&) { return n.bans().records(); });
    Json out = Json::array();
    for (const auto& r : records) out.push_back({{"peer", r.peer}, {"banned_until", r.until}, {"reason", r.reason}});
    return out;
}

Json addnode(const NodeAccess& a, const Json& params) {
    const Params p(params, {"address", "command"});
    auto addr = net::Multiaddr::parse(p.string(0));
    if (!addr) p.fail(0, "expected a multiaddr (/ip4/A.B.C.D/tcp/PORT[/p2p/ID])");
    const auto command = p.get(1) ? p.string(1) : std::string("add");
    if (command != "add" && command != "onetry") p.fail(1, "expected \"add\" or \"onetry\"");
    node::Node* n = &a.node;
    // use_future needs a default-constructible value: (peer id, error) rather than a Result.
    const auto [id, failure] =
        call_on(a.network, a.timeout,
                [n, addr = std::move(addr).value(),
                 keep = command == "add"]() mutable -> asio::awaitable<std::pair<std::string, std::string>> {
                    auto r = co_await n->connect(addr, keep);
                    if (!r) co_return std::pair<std::string, std::string>{"", r.error().message};
                    co_return std::pair<std::string, std::string>{r->to_string(), ""};
                });
    if (id.empty()) throw RpcError(RpcCode::client_node_not_connected, "could not connect: " + failure);
    return Json{{"id", id}};
}

Json submitblock(const NodeAccess& a, const Json& params) {
    const Params p(params, {"hexdata"});
    chain::Bytes bytes;
    if (!chain::parse_hex(p.string(0), bytes)) p.fail(0, "expected hex digits");
    chain::Block block;
    chain::DecodeError err{};
    if (!chain::decode(bytes, block, &err))
        throw RpcError(RpcCode::deserialization_error, "Block decode failed: " + std::string(chain::to_string(err)));
    node::Node* n = &a.node;
    const auto result =
        call_on(a.network, a.timeout, [n, block = std::move(block)]() mutable -> asio::awaitable<chain::AcceptResult> {
            co_return co_await n->submit_block(std::move(block));
        });
    if (result.validation.reason == chain::RejectReason::already_have) return "duplicate";
    if (result.orphan) return "orphan";
    if (!result.ok())
        throw RpcError(RpcCode::verify_error,
                       std::string(chain::to_string(result.validation.reason)) + ": " + result.validation.message);
    return nullptr;
}

}  // namespace

void register_node_methods(MethodRegistry& methods, std::shared_ptr<const NodeAccess> access) {
    methods.add("getpeerinfo", [access](const Json& params) { return getpeerinfo(*access, params); });
    methods.add("getnetworkinfo", [access](const Json& params) { return getnetworkinfo(*access, params); });
    methods.add("setban", [access](const Json& params) { return setban(*access, params); });
    methods.add("listbanned", [access](const Json& params) { return listbanned(*access, params); });
    methods.add("addnode", [access](const Json& params) { return addnode(*access, params); });
    methods.add("submitblock", [access](const Json& params) { return submitblock(*access, params); });
    methods.add("stop", [access](const Json& params) {
        (void)Params(params, {});
        if (access->stop) access->stop();
        return Json("chainkit stopping");
    });
}

std::function<asio::awaitable<chain::ValidationResult>(chain::Transaction)> submit_through(node::Node& node) {
    // Node::submit_transaction is a coroutine holding its own copy of the
    // transaction and a pointer to the node: nothing here must outlive the call.
    return [n = &node](chain::Transaction tx) { return n->submit_transaction(std::move(tx)); };
}

SummarySource summary_from(const node::Node& node) {
    return [n = &node] { return n->chain_summary(); };
}

std::function<bool()> busy_while_downloading(const node::Node& node) {
    return [n = &node] {
        const auto s = n->chain_summary();
        return s != nullptr && s->best_header.height > s->tip.height;
    };
}

}  // namespace chainkit::rpc
