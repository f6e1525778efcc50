#pragma once
// The hostile peer of issue 15, as coroutines a test runs against a node
// (one io_context, the test's thread). Each attack runs until `stop` is set
// or the node cuts it off; raw attacks bind a loopback address of their own
// (127.0.0.N) so that per-address limits never touch the honest peer.

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chainkit/net/multiaddr.hpp>
#include <cstddef>
#include <string>

namespace chainkit::net::test {

struct AttackState {
    bool stop = false;     // set by the test: end the attack
    bool cut_off = false;  // the node closed the attack's connection(s)
    std::size_t sent = 0;  // bytes the attack wrote
    std::string note;      // what the attack saw (for the report)
};

/// Opens `streams` streams to /chainkit/msg/1.0.0 on one connection, on each
/// announces a 1 MiB message and sends nothing more, then asks for one more;
/// cut_off once the node closed the connection.
asio::awaitable<void> many_streams_attack(Multiaddr node, std::size_t streams, AttackState& st);
/// Sends the multistream header one byte every `gap` ms (slowloris).
asio::awaitable<void> slowloris_attack(asio::ip::tcp::endpoint node, int gap_ms, AttackState& st);
/// Opens `count` connections from 127.0.0.3 that never send a byte.
asio::awaitable<void> one_address_attack(asio::ip::tcp::endpoint node, std::size_t count, AttackState& st);
/// Opens `count` connections from 127.0.0.4 that never finish the handshake
/// (they send the multistream header and stop).
asio::awaitable<void> no_handshake_attack(asio::ip::tcp::endpoint node, std::size_t count, AttackState& st);
/// Upgrades one connection and floods yamux pings, never reading.
asio::awaitable<void> ping_flood_attack(asio::ip::tcp::endpoint node, AttackState& st);
/// Upgrades one connection, opens `streams` echo streams, fills each with a
/// full window and never reads what comes back.
asio::awaitable<void> not_reading_attack(asio::ip::tcp::endpoint node, std::size_t streams, AttackState& st);

}  // namespace chainkit::net::test
