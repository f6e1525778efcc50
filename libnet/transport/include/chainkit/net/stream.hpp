#pragma once
// One multiplexed (yamux) stream, already negotiated to `protocol()`.
// Bytes are ordered and reliable; writes honour the peer's flow-control
// window. Not thread-safe: use from the host's executor. At most one read and
// one write may be outstanding at a time. Dropping the last shared_ptr of a
// stream that is still open resets it.

#include <asio/awaitable.hpp>

#include <chainkit/net/error.hpp>
#include <chainkit/net/peer_id.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace chainkit::net {

namespace detail {
class StreamCore;
}

class Stream {
public:
    explicit Stream(std::shared_ptr<detail::StreamCore> core);
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    /// Reads at least one byte. errc::end_of_stream once the peer half-closed
    /// and everything was read; errc::stream_reset if reset.
    asio::awaitable<Result<std::size_t>> read_some(std::span<std::uint8_t> buf);
    asio::awaitable<Result<void>> read_exact(std::span<std::uint8_t> buf);
    /// Writes all bytes (waits for window and queue room).
    asio::awaitable<Result<void>> write(std::span<const std::uint8_t> data);
    /// Half close: sends FIN; reading continues until the peer closes.
    asio::awaitable<Result<void>> close_write();
    /// Abortive close (RST); pending reads and writes fail with stream_reset.
    void reset();

    /// Unsigned-varint length-prefixed message, as libp2p protocols frame them.
    /// A length over `max_size` resets the stream (errc::message_too_large)
    /// before any of the body is buffered. Otherwise the body grows as bytes
    /// arrive (a claimed length allocates nothing) and, while partial, counts
    /// against the host's receive budgets (HostConfig), so keep `max_size`
    /// below max_connection_receive_bytes minus the stream window. Once its
    /// first byte arrived, a message whose bytes stop coming for
    /// HostConfig::message_stall_timeout fails: errc::stream_reset, or
    /// errc::timeout when the connection was dropped for it.
    asio::awaitable<Result<std::vector<std::uint8_t>>> read_message(std::size_t max_size);
    asio::awaitable<Result<void>> write_message(std::span<const std::uint8_t> body);
    /// A line ending in '\n' (returned without it). More than `max_len` bytes
    /// without a newline resets the stream (errc::line_too_long). A final line
    /// without '\n' before end of stream is returned as is.
    asio::awaitable<Result<std::string>> read_line(std::size_t max_len);

    const std::string& protocol() const noexcept;
    const PeerId& remote_peer() const noexcept;
    std::uint32_t id() const noexcept;

private:
    std::shared_ptr<detail::StreamCore> m_core;
};

}  // namespace chainkit::net
