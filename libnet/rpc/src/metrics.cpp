#include "chainkit/rpc/metrics.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <unistd.h>
#include <utility>

namespace chainkit::rpc {
namespace {

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <class V>
void sample(std::string& out, std::string_view name, V value, std::string_view labels = {}) {
    if (labels.empty())
        fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
    else
        fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, value);
}

template <class V>
void gauge(std::string& out, std::string_view name, std::string_view help, V value) {
    header(out, name, "gauge", help);
    sample(out, name, value);
}

// Label values here are our own names (message types, reject reasons), but
// are escaped as the format asks anyway.
std::string label_value(std::string_view v) {
    std::string out;
    for (const char c : v) {
        if (c == '\\' || c == '"')
            out += '\\';
        else if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

void traffic(std::string& out, std::string_view name, std::string_view help,
             const std::array<std::uint64_t, node::MESSAGE_TYPE_SLOTS>& bytes) {
    header(out, name, "counter", help);
    for (std::size_t t = 0; t < bytes.size(); ++t) {
        const auto type = t == 0 ? std::string_view("unknown") : node::to_string(static_cast<node::MessageType>(t));
        sample(out, name, bytes[t], fmt::format("type=\"{}\"", label_value(type)));
    }
}

void by_reason(std::string& out, std::string_view name, std::string_view help, std::uint64_t total,
               const std::map<std::string, std::uint64_t, std::less<>>& reasons) {
    header(out, name, "counter", help);
    sample(out, name, total, "reason=\"all\"");
    for (const auto& [reason, n] : reasons) sample(out, name, n, fmt::format("reason=\"{}\"", label_value(reason)));
}

void validation_histogram(std::string& out, const node::NodeCounters& c) {
    constexpr std::string_view name = "chainkit_block_validation_seconds";
    header(out, name, "histogram", "Chain-thread time to validate and connect each block accepted or refused.");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < node::VALIDATION_TIME_BUCKETS.size(); ++i) {
        cumulative += c.validation_time_buckets[i];
        sample(out, "chainkit_block_validation_seconds_bucket", cumulative,
               fmt::format("le=\"{}\"", node::VALIDATION_TIME_BUCKETS[i]));
    }
    cumulative += c.validation_time_buckets.back();
    sample(out, "chainkit_block_validation_seconds_bucket", cumulative, "le=\"+Inf\"");
    sample(out, "chainkit_block_validation_seconds_sum", c.validation_seconds_sum);
    sample(out, "chainkit_block_validation_seconds_count", c.validations);
}

}  // namespace

std::string render_metrics(const MetricsSnapshot& s) {
    std::string out;
    const auto& c = s.counters;
    gauge(out, "chainkit_block_height", "Height of the active chain's tip.", s.sync.block_height);
    gauge(out, "chainkit_header_height", "Height of the best header chain.", s.sync.header_height);
    gauge(out, "chainkit_sync_progress", "Blocks over headers (1 when synced).",
          s.sync.header_height == 0
              ? 1.0
              : static_cast<double>(s.sync.block_height) / static_cast<double>(s.sync.header_height));
    gauge(out, "chainkit_sync_blocks_per_second", "Blocks connected per second over the last seconds.",
          s.sync.blocks_per_second);
    std::uint64_t inbound = 0;
    for (const auto& p : s.peers) inbound += p.inbound ? 1 : 0;
    header(out, "chainkit_peers", "gauge", "Connected peers by direction.");
    sample(out, "chainkit_peers", inbound, "direction=\"inbound\"");
    sample(out, "chainkit_peers", s.peers.size() - inbound, "direction=\"outbound\"");
    traffic(out, "chainkit_message_bytes_received_total", "Message body bytes read from peers, by message type.",
            c.bytes_received_by_type);
    traffic(out, "chainkit_message_bytes_sent_total", "Message body bytes queued to peers, by message type.",
            c.bytes_sent_by_type);
    header(out, "chainkit_blocks_accepted_total", "counter", "Blocks accepted into the chain state.");
    sample(out, "chainkit_blocks_accepted_total", c.blocks_accepted);
    by_reason(out, "chainkit_blocks_rejected_total", "Invalid blocks refused, by reject reason.", c.blocks_rejected,
              c.blocks_rejected_by_reason);
    header(out, "chainkit_transactions_accepted_total", "counter", "Transactions accepted into the mempool.");
    sample(out, "chainkit_transactions_accepted_total", c.txs_accepted);
    by_reason(out, "chainkit_transactions_rejected_total", "Invalid transactions refused, by reject reason.",
              c.txs_rejected, c.txs_rejected_by_reason);
    header(out, "chainkit_peers_banned_total", "counter", "Peers banned for misbehaviour.");
    sample(out, "chainkit_peers_banned_total", c.peers_banned);
    gauge(out, "chainkit_mempool_transactions", "Transactions in the mempool.", s.mempool_txs);
    gauge(out, "chainkit_mempool_bytes", "Serialized bytes of the mempool's transactions.", s.mempool_bytes);
    validation_histogram(out, c);
    gauge(out, "chainkit_process_resident_memory_bytes", "Resident set size of the node process.", s.resident_bytes);
    return out;
}

std::uint64_t resident_set_bytes() {
    // statm: size resident shared text lib data dt, in pages.
    std::ifstream in("/proc/self/statm");
    std::uint64_t size = 0;
    std::uint64_t resident = 0;
    if (!(in >> size >> resident)) return 0;
    const long page = ::sysconf(_SC_PAGESIZE);
    return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

std::function<std::string()> node_metrics(std::shared_ptr<const ChainAccess> chain,
                                          std::shared_ptr<const NodeAccess> node) {
    return [chain = std::move(chain), node = std::move(node)] {
        auto s = call_on(node->network, node->timeout, [n = &node->node]() -> asio::awaitable<MetricsSnapshot> {
            MetricsSnapshot out;
            out.counters = n->counters();
            out.sync = n->sync_status();
            out.peers = n->peers();
            co_return out;
        });
        const auto pool = chain->read([](const chain::ChainState&, const chain::Mempool& m) {
            return std::pair<std::uint64_t, std::uint64_t>(m.size(), m.bytes());
        });
        s.mempool_txs = pool.first;
        s.mempool_bytes = pool.second;
        s.resident_bytes = resident_set_bytes();
        return render_metrics(s);
    };
}

}  // namespace chainkit::rpc
