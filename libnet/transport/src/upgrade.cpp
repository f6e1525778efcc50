#include "upgrade.hpp"

#include "multistream.hpp"

namespace chainkit::net::detail {
namespace {

asio::awaitable<Result<void>> agree(auto& io, std::string_view protocol, bool dialer) {
    if (dialer) co_return co_await ms_select(io, protocol);
    const std::function<bool(std::string_view)> only = [protocol](std::string_view p) { return p == protocol; };
    auto chosen = co_await ms_handle(io, only);
    if (!chosen) co_return chosen.error();
    co_return Result<void>{};
}

}  // namespace

asio::awaitable<Result<std::unique_ptr<SecureChannel>>> upgrade_connection(asio::ip::tcp::socket sock,
                                                                           const Identity& id, bool dialer) {
    std::error_code ignored;
    sock.set_option(asio::ip::tcp::no_delay(true), ignored);  // small handshake messages must not wait
    {
        RawSocketIo raw(sock);
        if (auto r = co_await agree(raw, NOISE_PROTOCOL, dialer); !r) co_return r.error();
    }
    auto channel = co_await noise_handshake(std::move(sock), id, dialer);
    if (!channel) co_return channel.error();
    if (auto r = co_await agree(**channel, YAMUX_PROTOCOL, dialer); !r) co_return r.error();
    co_return std::move(*channel);
}

}  // namespace chainkit::net::detail
