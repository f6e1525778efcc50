#include "send_commands.hpp"

#include "chainkit/chain/block.hpp"
#include "chainkit/chain/chain_worker.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/node/node.hpp"

#include "errors.hpp"
#include "node_link.hpp"
#include "peer_files.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chainkit/net/host.hpp>
#include <chainkit/net/identity.hpp>
#include <set>
#include <thread>

namespace chainkit::apps {
namespace {

constexpr auto POLL = std::chrono::milliseconds(100);

// A UTXO view in which exactly `spent` is spent: what prune_pending needs
// to drop the pending transactions the node reports confirmed.
class SpentOnly final : public chain::UtxoView {
public:
    explicit SpentOnly(std::set<chain::OutPoint> spent) : m_spent(std::move(spent)) {}
    [[nodiscard]] std::optional<chain::Coin> get_coin(const chain::OutPoint& o) const override {
        if (m_spent.contains(o)) return std::nullopt;
        return chain::Coin{};
    }

private:
    std::set<chain::OutPoint> m_spent;
};

// Drops the wallet's pending transactions the node has confirmed.
bool prune_confirmed(rpc::RpcClient& node, wallet::Wallet& w) {
    std::set<chain::OutPoint> spent;
    for (const auto& tx : w.pending()) {
        auto r = node.call("gettransaction", rpc::Json::array({tx.txid().hex()}));
        if (!r || !r->contains("blockhash")) continue;  // pending, or not seen: kept
        for (const auto& in : tx.inputs) spent.insert(in.prevout);
    }
    return !spent.empty() && w.prune_pending(SpentOnly(std::move(spent))) > 0;
}

// listunspent's coins as the wallet sees them; a mempool output counts as
// created in the next block.
std::vector<chain::OwnedCoin> coins_of(rpc::RpcClient& node, const std::string& address, const chain::KeyHash& key,
                                       std::uint64_t tip) {
    std::vector<chain::OwnedCoin> coins;
    for (const auto& u : call_node(node, "listunspent", rpc::Json::array({address}))) {
        const auto txid = chain::TxId::from_hex(u.at("txid").get<std::string>());
        if (!txid) throw UserError("listunspent: the node sent a malformed txid");
        chain::OwnedCoin c;
        c.outpoint = chain::OutPoint{*txid, u.at("vout").get<std::uint32_t>()};
        c.coin.out = chain::TxOut{u.at("value").get<chain::Amount>(), key};
        c.coin.height = u.contains("height") ? u["height"].get<std::uint64_t>() : tip + 1;
        c.coin.coinbase = u.at("coinbase").get<bool>();
        coins.push_back(std::move(c));
    }
    return coins;
}

void report_mined(rpc::RpcClient& node, const SendArgs& args, const wallet::PaymentRequest& request,
                  const wallet::Payment& payment, std::ostream& out) {
    const auto txid = payment.tx.txid();
    (void)call_node(node, "generatetoaddress", rpc::Json::array({1, args.from}));
    const auto t = call_node(node, "gettransaction", rpc::Json::array({txid.hex()}));
    if (!t.contains("blockhash"))
        throw UserError(fmt::format("transaction {} was not mined in the node's block; it stays pending", txid.hex()));
    fmt::print(out, "Success! Sent {} from {} to {} (fee {}) in transaction {}, mined in block {} at height {}\n",
               chain::format_coins(request.amount), args.from, args.to, chain::format_coins(payment.fee), txid.hex(),
               t["blockhash"].get<std::string>(), t["height"].get<std::uint64_t>());
}

}  // namespace

void send_via_node(rpc::RpcClient& node, NodeContext& ctx, const SendArgs& args, const wallet::PaymentRequest& request,
                   const wallet::KeyPair& key, std::ostream& out) {
    auto& w = *ctx.wallet;
    const auto tip = call_node(node, "getblockcount").get<std::uint64_t>();
    if (prune_confirmed(node, w)) ctx.save_wallet();
    const auto coins = coins_of(node, args.from, key.key_hash(), tip);
    const auto payment = build_send(ctx, w, key, request, coins, tip + 1);
    const auto txid = payment.tx.txid();
    (void)call_node(node, "sendrawtransaction", rpc::Json::array({chain::to_hex(chain::encode(payment.tx))}));
    // In the node's mempool: pending until mined, so its inputs are not spent twice.
    w.add_pending(payment.tx);
    ctx.save_wallet();
    if (args.mine) return report_mined(node, args, request, payment, out);

    std::size_t takers = 0;
    for (const auto until = std::chrono::steady_clock::now() + SEND_WAIT;
         std::chrono::steady_clock::now() < until && !ctx.stop.stop_requested(); std::this_thread::sleep_for(POLL)) {
        const auto t = call_node(node, "gettransaction", rpc::Json::array({txid.hex()}));
        // Mined already (this node mines): its block went to the peers.
        takers = t.contains("blockhash") ? 1 : t.value("peers", std::size_t{0});
        if (takers > 0) break;
    }
    const auto peers = call_node(node, "getnetworkinfo").at("connections").get<std::size_t>();
    report_sent(args, request.amount, payment.fee, txid, takers, peers, out);
}

namespace {

net::Multiaddr peer_addr(const std::string& text) {
    std::string why;
    auto a = net::Multiaddr::parse(text, &why);
    if (!a.ok()) throw UserError(fmt::format("--connect '{}': {}", text, why.empty() ? a.error().message : why));
    return *a;
}

std::size_t ready_peers(const node::Node& n) {
    std::size_t count = 0;
    for (const auto& p : n.peers()) count += p.handshake_done ? 1 : 0;
    return count;
}

// On the network thread: waits for a handshake, submits, waits for a taker.
asio::awaitable<void> hand_off(node::Node& n, chain::Transaction tx, std::chrono::milliseconds bound,
                               std::stop_token stop, HandOff& out) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    const auto until = std::chrono::steady_clock::now() + bound;
    const auto waiting = [&] { return std::chrono::steady_clock::now() < until && !stop.stop_requested(); };
    // A peer must know us before it can fetch what we announce.
    while (ready_peers(n) == 0 && waiting()) {
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::use_awaitable);
    }
    const auto txid = tx.txid();
    const auto r = co_await n.submit_transaction(std::move(tx));
    out.accepted = r.ok() || r.reason == chain::RejectReason::already_have;
    if (!out.accepted) out.refusal = std::string(chain::to_string(r.reason)) + ": " + r.message;
    while (out.accepted && (out.takers = n.tx_taken_by(txid)) == 0 && waiting()) {
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::use_awaitable);
    }
    out.peers = ready_peers(n);
}

}  // namespace

HandOff hand_to_peers(NodeContext& ctx, const std::vector<std::string>& connect, const chain::Transaction& tx,
                      std::chrono::milliseconds bound) {
    const auto& cfg = ctx.config;
    auto& chain = *ctx.chain;
    node::NodeConfig ncfg;
    for (const auto& c : connect) ncfg.connect.push_back(peer_addr(c));
    ncfg.target_outbound = 0;  // only the peers named
    ncfg.max_inbound = 0;
    ncfg.user_agent = "chainkit-send/0.1.0";
    auto identity = net::Identity::load_or_create(cfg.data_dir);
    if (!identity.ok()) throw UserError("cannot load the node key: " + identity.error().message);

    asio::io_context io;
    chain::ChainWorker worker;
    chain::Mempool mempool(cfg.params, chain.utxo(), chain.height());
    chain.add_observer(&mempool);
    net::HostConfig hcfg;
    hcfg.agent_version = ncfg.user_agent;
    net::Host host(io.get_executor(), std::move(*identity), hcfg);
    PeerFiles peer_files(cfg.data_dir);
    node::NodeDeps deps{cfg.params,
                        chain,
                        mempool,
                        [&worker](std::function<void()> job) { worker.post(std::move(job)); },
                        [] { return now_seconds(); },
                        &peer_files,
                        &peer_files,
                        {}};
    node::Node n(io.get_executor(), host, std::move(deps), ncfg);
    n.start();
    HandOff out;
    asio::co_spawn(io, hand_off(n, tx, bound, ctx.stop.get_token(), out), [&io](std::exception_ptr) { io.stop(); });
    io.run();
    // As startnode stops: peers saved, chain jobs drained.
    n.stop();
    host.stop();
    io.restart();
    io.run_for(std::chrono::milliseconds(200));
    worker.stop(chain::StopMode::drain);
    chain.remove_observer(&mempool);
    return out;
}

}  // namespace chainkit::apps
