#pragma once
// Reads one varint length prefix byte by byte from any Io with an awaitable
// read_exact(span<uint8_t>), so that nothing past it is consumed: the bytes
// after a prefix belong to whoever reads next.

#include <asio/awaitable.hpp>

#include <array>
#include <chainkit/net/error.hpp>
#include <chainkit/net/varint.hpp>
#include <optional>

namespace chainkit::net::detail {

/// The value, or nullopt (inner) when the first `max_bytes` bytes do not
/// end a minimal varint; the outer error is the Io's.
template <class Io>
asio::awaitable<Result<std::optional<std::uint64_t>>> read_uvarint(Io& io, std::size_t max_bytes) {
    std::array<std::uint8_t, MAX_VARINT_BYTES> head{};
    std::size_t n = 0;
    for (;;) {
        if (auto r = co_await io.read_exact(std::span(head).subspan(n, 1)); !r) co_return r.error();
        if ((head[n++] & 0x80) == 0 || n == max_bytes || n == head.size()) break;
    }
    auto len = decode_uvarint(std::span(head).first(n));
    co_return len ? std::optional<std::uint64_t>(len->value) : std::nullopt;
}

}  // namespace chainkit::net::detail
