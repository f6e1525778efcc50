#include "node_rpc.hpp"

#include "chainkit/rpc/chain_methods.hpp"
#include "chainkit/rpc/metrics.hpp"
#include "chainkit/rpc/mining_methods.hpp"
#include "chainkit/rpc/node_methods.hpp"

#include "commands.hpp"
#include "errors.hpp"
#include "node_link.hpp"

#include <fmt/format.h>

namespace chainkit::apps {
namespace {

std::uint16_t rpc_port(std::uint16_t node_port, const RpcOptions& o) {
    if (o.port) return *o.port;
    const auto port = static_cast<unsigned>(node_port) + RPC_PORT_OFFSET;
    if (port > 65535)
        throw UserError(fmt::format("NODE_ID {} + {} is no TCP port: pass --rpc-port PORT or --no-rpc", node_port,
                                    RPC_PORT_OFFSET));
    return static_cast<std::uint16_t>(port);
}

}  // namespace

NodeRpc::NodeRpc(const NodeParts& p, RpcOptions options)
    : m_data_dir(p.config.data_dir), m_options(std::move(options)), m_node_port(p.config.port) {
    if (!m_options.enabled) return;
    node::Node* n = &p.node;
    chain::ChainWorker* worker = &p.worker;
    auto chain_access = std::make_shared<rpc::ChainAccess>(rpc::ChainAccess{
        p.config.params, p.chain, p.mempool, [worker](std::function<void()> job) { worker->post(std::move(job)); },
        p.network, std::chrono::seconds(30), rpc::submit_through(p.node),
        [n](const chain::TxId& txid) { return n->tx_taken_by(txid); }, rpc::summary_from(p.node)});
    rpc::register_chain_methods(m_methods, chain_access);
    NodeMiner* miner = p.miner;
    rpc::register_mining_methods(
        m_methods,
        std::make_shared<rpc::MiningAccess>(rpc::MiningAccess{
            chain_access, [n](chain::Block b) { return n->submit_block(std::move(b)); }, [] { return now_seconds(); },
            [miner]() -> std::optional<rpc::MinerStatus> {
                if (miner == nullptr) return std::nullopt;
                return miner->status();
            }}));
    auto node_access = std::make_shared<rpc::NodeAccess>(rpc::NodeAccess{
        p.node, p.host, p.network, std::chrono::seconds(30), [] { return now_seconds(); }, p.request_stop});
    rpc::register_node_methods(m_methods, node_access);
    m_metrics = rpc::node_metrics(chain_access, node_access);
    m_node_busy = rpc::busy_while_downloading(p.node);
}

NodeRpc::~NodeRpc() {
    stop();
}

std::optional<std::string> NodeRpc::start() {
    if (!m_options.enabled) {
        write_endpoint(m_data_dir, "off");
        m_wrote_endpoint = true;
        return std::nullopt;
    }
    rpc::ServerConfig sc;
    sc.bind_address = m_options.bind;
    sc.port = rpc_port(m_node_port, m_options);
    sc.cookie_dir = m_data_dir;
    sc.metrics = m_metrics;
    sc.node_busy = m_node_busy;
    m_server = std::make_unique<rpc::RpcServer>(sc, m_methods);
    if (auto r = m_server->start(); !r)
        throw UserError(fmt::format("{} (pass --rpc-port PORT, or --no-rpc)", r.error().message));
    // Commands on this machine connect to loopback when the node listens on every address.
    const bool any = m_options.bind == "0.0.0.0" || m_options.bind == "::";
    const auto host = any ? std::string("127.0.0.1") : m_options.bind;
    const auto url =
        fmt::format("http://{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, m_server->port());
    write_endpoint(m_data_dir, url);
    m_wrote_endpoint = true;
    return url;
}

void NodeRpc::stop() {
    if (m_wrote_endpoint) remove_endpoint(m_data_dir);
    m_wrote_endpoint = false;
    if (m_server) m_server->stop();
    m_server.reset();
}

}  // namespace chainkit::apps
