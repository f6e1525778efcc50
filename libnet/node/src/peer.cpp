#include "peer.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace chainkit::node::detail {
namespace {
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);
}

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
      m_room(ex, asio::steady_timer::time_point::max()) {}

bool Peer::send(const Message& m) {
    if (m_closed) return false;
    if (m_queued_bytes > m_max_queue_bytes) return false;
    auto body = encode_message(m);
    m_queued_bytes += body.size();
    if (sent_by_type) (*sent_by_type)[message_type_slot(body)] += body.size();
    m_queue.push_back(std::move(body));
    m_wake.cancel();
    return true;
}

asio::awaitable<void> Peer::write_loop() {
    auto self = shared_from_this();
    while (!m_closed) {
        if (m_queue.empty()) {
            co_await m_wake.async_wait(as_tuple);
            continue;
        }
        auto body = std::move(m_queue.front());
        m_queue.pop_front();
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

void Peer::close() {
    if (m_closed) return;
    m_closed = true;
    m_queue.clear();
    m_wake.cancel();
    m_room.cancel();
    stream->reset();
}

}  // namespace chainkit::node::detail
