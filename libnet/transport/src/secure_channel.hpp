#pragma once
// A TCP socket secured by Noise XX (libp2p framing: every Noise message is
// prefixed by its 2-byte big-endian length, at most 65535 bytes). One reader
// and one writer may run concurrently; neither may be called twice at once.

#include "byte_queue.hpp"
#include "noise.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chainkit/net/error.hpp>
#include <chainkit/net/identity.hpp>
#include <chainkit/net/peer_id.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace chainkit::net::detail {

/// Plaintext bytes per transport frame: 65535 minus the 16-byte tag.
inline constexpr std::size_t NOISE_MAX_PLAINTEXT = NOISE_MAX_MESSAGE - NOISE_TAG;
/// Handshake messages carry only keys and the signed payload.
inline constexpr std::size_t NOISE_MAX_HANDSHAKE_MESSAGE = 8192;

class SecureChannel {
public:
    SecureChannel(asio::ip::tcp::socket sock, CipherState send, CipherState recv, PeerId remote);

    asio::awaitable<Result<void>> read_exact(std::span<std::uint8_t> out);
    /// Reads and decrypts the next Noise frame onto the buffered plaintext.
    asio::awaitable<Result<void>> read_frame();
    /// Decrypted bytes already buffered: lets the reader hand them on without
    /// another copy. consume_plain(n) drops the first n of them. The span is
    /// invalidated by read_frame and read_exact.
    std::span<const std::uint8_t> buffered_plain() const noexcept { return m_plain.bytes(); }
    void consume_plain(std::size_t n) noexcept { m_plain.consume(n); }

    /// seal(data, {}) then flush().
    asio::awaitable<Result<void>> write_all(std::span<const std::uint8_t> data);
    /// Encrypts `data` onto the outgoing buffer. `unit_ends` are the offsets
    /// where the caller's units (yamux frames) end, ascending: Noise frames are
    /// cut only there, so the receiver finds each unit whole in one frame,
    /// unless a unit is larger than a Noise frame. Empty = one unit.
    void seal(std::span<const std::uint8_t> data, std::span<const std::size_t> unit_ends);
    /// Sends everything sealed so far.
    asio::awaitable<Result<void>> flush();

    const PeerId& remote_peer() const noexcept { return m_remote; }
    asio::ip::tcp::socket& socket() noexcept { return m_sock; }
    void close();
    /// Encrypts and sends `data` now if the socket accepts it without blocking;
    /// only for a last frame (GoAway) right before close(), with no write pending.
    void try_write_now(std::span<const std::uint8_t> data);

private:
    asio::awaitable<Result<void>> fill(std::size_t need);
    void seal_frame(std::span<const std::uint8_t> plain);

    asio::ip::tcp::socket m_sock;
    CipherState m_send;
    CipherState m_recv;
    PeerId m_remote;
    ByteQueue m_cipher_in;         // bytes read from the socket, not yet decrypted
    std::size_t m_read_hint = 64;  // grows with frame sizes: big reads only in bulk
    ByteQueue m_plain;             // decrypted, not yet consumed
    ByteQueue m_out;               // sealed frames waiting for flush()
};

/// Runs the XX handshake on `sock` (the dialer is the initiator) and returns
/// the channel with the authenticated remote PeerId.
asio::awaitable<Result<std::unique_ptr<SecureChannel>>> noise_handshake(asio::ip::tcp::socket sock, const Identity& id,
                                                                        bool initiator);

/// read_exact/write_all over a bare socket, for multistream-select before Noise.
class RawSocketIo {
public:
    explicit RawSocketIo(asio::ip::tcp::socket& s) : m_sock(s) {}
    asio::awaitable<Result<void>> read_exact(std::span<std::uint8_t> out);
    asio::awaitable<Result<void>> write_all(std::span<const std::uint8_t> data);

private:
    asio::ip::tcp::socket& m_sock;
};

/// Maps an Asio error to ours (EOF and resets become connection_closed).
std::error_code map_io_error(const std::error_code& ec);

}  // namespace chainkit::net::detail
