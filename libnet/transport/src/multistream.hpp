#pragma once
// multistream-select 1.0 (specs/connections): every message is an unsigned
// varint length, then the text and '\n'. The dialer sends the header and its
// proposal at once; the listener answers the header and then the protocol id
// (accepted) or "na". Templates over any Io with awaitable
// read_exact(span<uint8_t>) and write_all(span<const uint8_t>); reads never
// go past the negotiation, so what follows stays with the Io.

#include "varint_io.hpp"

#include <asio/awaitable.hpp>

#include <chainkit/net/error.hpp>
#include <chainkit/net/varint.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::net::detail {

inline constexpr std::string_view MULTISTREAM_HEADER = "/multistream/1.0.0";
inline constexpr std::size_t MULTISTREAM_MAX_MESSAGE = 1024;
inline constexpr int MULTISTREAM_MAX_PROPOSALS = 16;

/// Appends one framed message ("text\n" with its varint length).
void ms_append(std::vector<std::uint8_t>& out, std::string_view text);

template <class Io>
asio::awaitable<Result<std::string>> ms_read(Io& io) {
    // Lengths up to MULTISTREAM_MAX_MESSAGE need at most two varint bytes.
    auto len = co_await read_uvarint(io, 2);
    if (!len) co_return len.error();
    if (!*len || **len == 0 || **len > MULTISTREAM_MAX_MESSAGE) co_return errc::negotiation_failed;
    std::string text(static_cast<std::size_t>(**len), '\0');
    auto span = std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size());
    if (auto r = co_await io.read_exact(span); !r) co_return r.error();
    if (text.back() != '\n') co_return errc::negotiation_failed;
    text.pop_back();
    co_return text;
}

/// Writes one or two framed messages in a single write.
template <class Io>
asio::awaitable<Result<void>> ms_write(Io& io, std::string_view first, std::string_view second = {}) {
    std::vector<std::uint8_t> out;
    ms_append(out, first);
    if (!second.empty()) ms_append(out, second);
    co_return co_await io.write_all(out);
}

/// Dialer side: proposes `protocol`; errc::protocol_not_supported on "na".
template <class Io>
asio::awaitable<Result<void>> ms_select(Io& io, std::string_view protocol) {
    if (protocol.size() + 1 > MULTISTREAM_MAX_MESSAGE) co_return errc::negotiation_failed;
    if (auto r = co_await ms_write(io, MULTISTREAM_HEADER, protocol); !r) co_return r;
    auto header = co_await ms_read(io);
    if (!header) co_return header.error();
    if (*header != MULTISTREAM_HEADER) co_return errc::negotiation_failed;
    auto reply = co_await ms_read(io);
    if (!reply) co_return reply.error();
    if (*reply == protocol) co_return Result<void>{};
    if (*reply == "na") co_return errc::protocol_not_supported;
    co_return errc::negotiation_failed;
}

/// Listener side: answers proposals until one is `supported`; returns it.
template <class Io>
asio::awaitable<Result<std::string>> ms_handle(Io& io, const std::function<bool(std::string_view)>& supported) {
    auto header = co_await ms_read(io);
    if (!header) co_return header.error();
    if (*header != MULTISTREAM_HEADER) co_return errc::negotiation_failed;
    if (auto r = co_await ms_write(io, MULTISTREAM_HEADER); !r) co_return r.error();
    for (int i = 0; i < MULTISTREAM_MAX_PROPOSALS; ++i) {
        auto proposal = co_await ms_read(io);
        if (!proposal) co_return proposal.error();
        if (supported(*proposal)) {
            if (auto r = co_await ms_write(io, *proposal); !r) co_return r.error();
            co_return std::move(*proposal);
        }
        if (auto r = co_await ms_write(io, "na"); !r) co_return r.error();
    }
    co_return errc::protocol_not_supported;
}

}  // namespace chainkit::net::detail
