#include "hostile_peer.hpp"

#include "multistream.hpp"
#include "net_test_util.hpp"
#include "upgrade.hpp"
#include "yamux_frame.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <chainkit/net/host.hpp>
#include <chainkit/net/varint.hpp>
#include <memory>
#include <vector>

namespace chainkit::net::test {

using asio::ip::tcp;
using namespace detail;
using std::chrono::milliseconds;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

// A socket from `local` (127.0.0.N) to the node; nullopt if it fails.
asio::awaitable<std::optional<tcp::socket>> connect_from(const char* local, const tcp::endpoint& node) {
    tcp::socket s(co_await asio::this_coro::executor);
    std::error_code ec;
    s.open(tcp::v4(), ec);
    if (!ec) s.bind({asio::ip::make_address(local), 0}, ec);
    if (ec) co_return std::nullopt;
    auto [cec] = co_await s.async_connect(node, use_tuple);
    if (cec) co_return std::nullopt;
    co_return std::optional<tcp::socket>(std::move(s));
}

// Waits until `stop` or until every socket in `socks` was closed by the node.
asio::awaitable<void> hold(std::vector<std::shared_ptr<tcp::socket>> socks, AttackState& st) {
    std::size_t closed = 0;
    for (auto& s : socks) {
        auto probe = [s, &closed]() -> asio::awaitable<void> {
            std::array<std::uint8_t, 256> b{};
            for (;;) {
                auto [ec, n] = co_await s->async_read_some(asio::buffer(b), use_tuple);
                if (ec) break;
            }
            ++closed;
        };
        asio::co_spawn(co_await asio::this_coro::executor, probe(), asio::detached);
    }
    co_await wait_until([&] { return st.stop || closed == socks.size(); }, milliseconds(60000));
    st.cut_off = closed == socks.size();
    for (auto& s : socks) {
        std::error_code ignored;
        s->close(ignored);
    }
    co_await wait_until([&] { return closed == socks.size(); }, milliseconds(5000));
}

asio::awaitable<std::unique_ptr<SecureChannel>> upgraded_from(const char* local, const tcp::endpoint& node,
                                                              std::uint64_t seed) {
    auto s = co_await connect_from(local, node);
    if (!s) co_return nullptr;
    const auto id = Identity::from_seed(seed);
    auto ch = co_await upgrade_connection(std::move(*s), id, true);
    if (!ch) co_return nullptr;
    co_return std::move(*ch);
}

void put(std::vector<std::uint8_t>& out, const YamuxHeader& h) {
    const auto b = h.encode();
    out.insert(out.end(), b.begin(), b.end());
}
}  // namespace

asio::awaitable<void> many_streams_attack(Multiaddr node, std::size_t streams, AttackState& st) {
    auto ex = co_await asio::this_coro::executor;
    HostConfig cfg;
    cfg.max_streams_per_connection = streams + 16;  // our own limit must not stop us first
    auto host = std::make_unique<Host>(ex, Identity::from_seed(960), cfg);
    auto peer = co_await host->dial(node);
    if (!peer) co_return;
    // Set when the node drops us (open_stream below would dial it again).
    host->on_connection_closed([&st](const ConnectionInfo&) { st.cut_off = true; });
    std::vector<std::shared_ptr<Stream>> open;
    std::vector<std::uint8_t> claim;
    append_uvarint(claim, std::uint64_t{1} << 20);
    for (std::size_t i = 0; i < streams && !st.stop; ++i) {
        auto s = co_await host->open_stream(*peer, "/chainkit/msg/1.0.0");
        if (!s) break;
        if (co_await (*s)->write(claim)) st.sent += claim.size();
        open.push_back(*s);
    }
    auto extra = co_await host->open_stream(*peer, "/chainkit/msg/1.0.0");
    st.note = std::to_string(open.size()) + " streams announcing 1 MiB each, the next one " +
              (extra ? "accepted" : "refused");
    // Silent from here on: the node must let go of the connection (even
    // once the test says stop: its log may show the drop before we see it).
    co_await wait_until([&] { return st.cut_off; }, milliseconds(20000));
    const bool cut_off = st.cut_off;
    host->stop();  // closing our own connections is no cut-off
    st.cut_off = cut_off;
}

asio::awaitable<void> slowloris_attack(tcp::endpoint node, int gap_ms, AttackState& st) {
    auto s = co_await connect_from("127.0.0.2", node);
    if (!s) co_return;
    std::vector<std::uint8_t> header;
    ms_append(header, MULTISTREAM_HEADER);
    ms_append(header, "/noise");
    // Once the node closes, the next byte draws a reset and the one after fails.
    for (std::size_t i = 0; !st.stop; i = (i + 1) % header.size()) {
        auto [ec, n] = co_await asio::async_write(*s, asio::buffer(&header[i], 1), use_tuple);
        if (ec) {
            st.cut_off = true;
            break;
        }
        st.sent += n;
        co_await sleep_for(milliseconds(gap_ms));
    }
}

asio::awaitable<void> one_address_attack(tcp::endpoint node, std::size_t count, AttackState& st) {
    std::vector<std::shared_ptr<tcp::socket>> socks;
    for (std::size_t i = 0; i < count; ++i)
        if (auto s = co_await connect_from("127.0.0.3", node))
            socks.push_back(std::make_shared<tcp::socket>(std::move(*s)));
    st.note = std::to_string(socks.size()) + " connections from 127.0.0.3";
    co_await hold(std::move(socks), st);
}

asio::awaitable<void> no_handshake_attack(tcp::endpoint node, std::size_t count, AttackState& st) {
    std::vector<std::uint8_t> header;
    ms_append(header, MULTISTREAM_HEADER);
    std::vector<std::shared_ptr<tcp::socket>> socks;
    for (std::size_t i = 0; i < count; ++i) {
        auto s = co_await connect_from("127.0.0.4", node);
        if (!s) continue;
        auto [ec, n] = co_await asio::async_write(*s, asio::buffer(header), use_tuple);
        if (!ec) st.sent += n;
        socks.push_back(std::make_shared<tcp::socket>(std::move(*s)));
    }
    co_await hold(std::move(socks), st);
}

asio::awaitable<void> ping_flood_attack(tcp::endpoint node, AttackState& st) {
    auto ch = co_await upgraded_from("127.0.0.5", node, 961);
    if (!ch) co_return;
    std::vector<std::uint8_t> batch;
    for (std::uint32_t i = 0; i < 1000; ++i) put(batch, {YamuxType::ping, yamux_flag::SYN, 0, i});
    while (!st.stop) {
        if (!co_await ch->write_all(batch)) {
            st.cut_off = true;
            break;
        }
        st.sent += batch.size();
    }
    st.note = std::to_string(st.sent / YAMUX_HEADER_SIZE) + " pings";
}

asio::awaitable<void> not_reading_attack(tcp::endpoint node, std::size_t streams, AttackState& st) {
    auto ch = co_await upgraded_from("127.0.0.6", node, 962);
    if (!ch) co_return;
    std::vector<std::uint8_t> negotiation;
    ms_append(negotiation, MULTISTREAM_HEADER);
    ms_append(negotiation, "/chainkit/echo/1.0.0");
    for (std::uint32_t i = 0; i < streams && !st.stop; ++i) {
        const std::uint32_t id = 2 * i + 1;  // the dialer's streams are odd
        std::vector<std::uint8_t> out;
        put(out, {YamuxType::window_update, yamux_flag::SYN, id, 0});
        put(out, {YamuxType::data, 0, id, static_cast<std::uint32_t>(negotiation.size())});
        out.insert(out.end(), negotiation.begin(), negotiation.end());
        // The rest of the initial window, in 16 KiB frames: echoed back to a
        // peer that never reads, until our windows and the socket are full.
        for (std::size_t left = YAMUX_INITIAL_WINDOW - negotiation.size(); left > 0;) {
            const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(left, 16384));
            put(out, {YamuxType::data, 0, id, n});
            out.resize(out.size() + n, 0x5a);
            left -= n;
        }
        if (!co_await ch->write_all(out)) {
            st.cut_off = true;
            break;
        }
        st.sent += out.size();
    }
    st.note = std::to_string(streams) + " echo streams never read";
    // Still never reading: does the node let go of us?
    while (!st.stop && !st.cut_off) {
        std::vector<std::uint8_t> nop;
        put(nop, {YamuxType::window_update, 0, 1, 0});  // a harmless frame, to notice a closed socket
        if (!co_await ch->write_all(nop)) st.cut_off = true;
        co_await sleep_for(milliseconds(100));
    }
}

}  // namespace chainkit::net::test
