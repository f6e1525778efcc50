#include "peer.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace chainkit::node::detail {
namespace {
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

bool is_tx_traffic(const Message& m) {
    if (std::holds_alternative<TxMsg>(m) || std::holds_alternative<InvMsg>(m)) return true;
    const auto* gd = std::get_if<GetDataMsg>(&m);
    return gd && std::all_of(gd->items.begin(), gd->items.end(), [](const auto& i) { return i.type == InvType::tx; });
}
}  // namespace

Peer::Peer(const asio::any_io_executor& ex, PeerKey k, std::shared_ptr<net::Stream> s, net::PeerId i, bool in,
           std::string r, std::size_t max_queue_bytes)
    : key(k),
      stream(std::move(s)),
      id(std::move(i)),
      id_text(id.to_string()),
      inbound(in),
      remote(std::move(r)),
      m_max_queue_bytes(max_queue_bytes),
      m_wake(ex, asio::steady_timer::time_point::max()),
      m_room(ex, asio::steady_timer::time_point::max()),
      m_tx_room(ex, asio::steady_timer::time_point::max()) {}

bool Peer::send(const Message& m) {
    if (m_closed) return false;
    if (m_queued_bytes > m_max_queue_bytes) return false;
    auto body = encode_message(m);
    m_queued_bytes += body.size();
    if (sent_by_type) (*sent_by_type)[message_type_slot(body)] += body.size();
    (is_tx_traffic(m) ? m_bulk : m_queue).push_back(std::move(body));
    m_wake.cancel();
    return true;
}

asio::awaitable<void> Peer::write_loop() {
    auto self = shared_from_this();
    while (!m_closed) {
        if (m_queue.empty() && m_bulk.empty()) {
            co_await m_wake.async_wait(as_tuple);
            continue;
        }
        auto& from = m_queue.empty() ? m_bulk : m_queue;
        auto body = std::move(from.front());
        from.pop_front();
        auto r = co_await stream->write_message(body);
        m_queued_bytes -= body.size();
        bytes_sent += body.size();
        if (m_queued_bytes <= m_max_queue_bytes / 2) m_room.cancel();
        if (!r) {
            if (close_reason.empty()) close_reason = "write failed: " + r.error().message;
            close();
        }
    }
}

asio::awaitable<void> Peer::wait_for_room() {
    auto self = shared_from_this();
    while (!m_closed && m_queued_bytes > m_max_queue_bytes / 2) co_await m_room.async_wait(as_tuple);
}

void Peer::queue_tx(chain::Transaction tx) {
    const auto size = tx.serialized_size();
    m_tx_bytes += size;
    m_txs.emplace_back(std::move(tx), size);
}

std::optional<chain::Transaction> Peer::next_tx() {
    if (m_txs.empty()) return std::nullopt;
    auto [tx, size] = std::move(m_txs.front());
    m_txs.pop_front();
    m_tx_bytes -= size;
    if (m_tx_bytes < MAX_TX_BYTES_PENDING) m_tx_room.cancel();
    return std::move(tx);
}

asio::awaitable<void> Peer::wait_for_tx_room() {
    auto self = shared_from_this();
    while (!m_closed && m_tx_bytes >= MAX_TX_BYTES_PENDING) co_await m_tx_room.async_wait(as_tuple);
}

void Peer::close() {
    if (m_closed) return;
    m_closed = true;
    m_queue.clear();
    m_bulk.clear();
    m_txs.clear();
    m_tx_bytes = 0;
    m_wake.cancel();
    m_room.cancel();
    m_tx_room.cancel();
    stream->reset();
}

}  // namespace chainkit::node::detail
