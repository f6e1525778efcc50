// multistream-select 1.0 with the fuzz input as everything the other side
// sends: the listener (ms_handle) answering proposals, or the dialer
// (ms_select) reading the reply, picked by the first input byte. Checks: the
// negotiation never reads past what it needs, never writes more than its
// bounded replies, and a listener only ever agrees to a protocol it supports.
#include "fuzz_util.hpp"
#include "multistream.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <algorithm>
#include <optional>

namespace chainkit::fuzz {
namespace {

// An in-memory Io: reads come from the fuzz input, writes are collected.
struct MemoryIo {
    std::span<const std::uint8_t> in;
    std::size_t consumed = 0;
    Bytes out;

    asio::awaitable<net::Result<void>> read_exact(std::span<std::uint8_t> buf) {
        if (buf.size() > in.size() - consumed) co_return net::errc::connection_closed;
        std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(consumed), buf.size(), buf.begin());
        consumed += buf.size();
        co_return net::Result<void>{};
    }
    asio::awaitable<net::Result<void>> write_all(std::span<const std::uint8_t> data) {
        out.insert(out.end(), data.begin(), data.end());
        co_return net::Result<void>{};
    }
};

constexpr std::string_view OURS = "/chainkit/1.0.0";
bool supported(std::string_view p) {
    return p == OURS || p == "/ipfs/ping/1.0.0";
}

Bytes framed(std::initializer_list<std::string_view> msgs, std::uint8_t mode) {
    Bytes b{mode};
    for (auto m : msgs) net::detail::ms_append(b, m);
    return b;
}

}  // namespace

std::vector<Bytes> fuzz_seeds() {
    using net::detail::MULTISTREAM_HEADER;
    return {framed({MULTISTREAM_HEADER, "/other/1", OURS}, 0), framed({MULTISTREAM_HEADER, "/ipfs/ping/1.0.0"}, 0),
            framed({MULTISTREAM_HEADER, OURS}, 1), framed({MULTISTREAM_HEADER, "na"}, 1)};
}

}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    using namespace chainkit::net::detail;
    if (size == 0) return 0;
    static asio::io_context io;
    fuzz::MemoryIo mem{fuzz::as_span(data + 1, size - 1), 0, {}};
    const bool listener = data[0] % 2 == 0;
    std::optional<bool> agreed;
    std::string chosen;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            if (listener) {
                auto r = co_await ms_handle(mem, fuzz::supported);
                agreed = r.ok();
                if (r) chosen = *r;
            } else {
                auto r = co_await ms_select(mem, fuzz::OURS);
                agreed = r.ok();
            }
        },
        asio::detached);
    io.restart();
    io.run();
    FUZZ_CHECK(agreed.has_value());  // the negotiation always finishes on finite input
    FUZZ_CHECK(mem.consumed <= mem.in.size());
    constexpr std::size_t max_reply = MULTISTREAM_MAX_MESSAGE + 2;
    FUZZ_CHECK(mem.out.size() <= (MULTISTREAM_MAX_PROPOSALS + 2) * max_reply);
    if (listener && *agreed) FUZZ_CHECK(fuzz::supported(chosen));
    return 0;
}
