// yamux header framing and multistream-select over an in-memory pipe.
#include "multistream.hpp"
#include "net_test_util.hpp"
#include "yamux_frame.hpp"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <deque>

using namespace chainkit::net;
using namespace chainkit::net::detail;

namespace {
// A scripted Io: reads come from `input`, writes accumulate in `output`.
struct ScriptIo {
    std::deque<std::uint8_t> input;
    std::vector<std::uint8_t> output;
    asio::awaitable<Result<void>> read_exact(std::span<std::uint8_t> out) {
        if (input.size() < out.size()) co_return errc::connection_closed;
        for (auto& b : out) {
            b = input.front();
            input.pop_front();
        }
        co_return Result<void>{};
    }
    asio::awaitable<Result<void>> write_all(std::span<const std::uint8_t> data) {
        output.insert(output.end(), data.begin(), data.end());
        co_return Result<void>{};
    }
    void feed(std::initializer_list<std::string_view> msgs) {
        std::vector<std::uint8_t> v;
        for (auto m : msgs) ms_append(v, m);
        input.insert(input.end(), v.begin(), v.end());
    }
};

std::vector<std::uint8_t> framed(std::initializer_list<std::string_view> msgs) {
    std::vector<std::uint8_t> v;
    for (auto m : msgs) ms_append(v, m);
    return v;
}
}  // namespace

TEST_CASE("yamux header encodes big-endian and rejects bad versions and types", "[net][yamux]") {
    YamuxHeader h{YamuxType::window_update, yamux_flag::SYN | yamux_flag::FIN, 0x01020304, 0x00040000};
    const auto b = h.encode();
    CHECK(std::vector<std::uint8_t>(b.begin(), b.end()) ==
          std::vector<std::uint8_t>{0, 1, 0, 5, 1, 2, 3, 4, 0, 4, 0, 0});
    auto d = YamuxHeader::decode(b);
    REQUIRE(d);
    CHECK(d->type == YamuxType::window_update);
    CHECK(d->has(yamux_flag::FIN));
    CHECK_FALSE(d->has(yamux_flag::RST));
    CHECK(d->stream_id == 0x01020304);
    CHECK(d->length == 0x40000);
    auto bad = b;
    bad[0] = 1;
    CHECK_FALSE(YamuxHeader::decode(bad));
    bad = b;
    bad[1] = 4;
    CHECK_FALSE(YamuxHeader::decode(bad));
}

TEST_CASE("multistream-select dialer and listener", "[net][multistream]") {
    asio::io_context io;
    SECTION("dialer pipelines header and proposal, accepts the echo") {
        ScriptIo s;
        s.feed({"/multistream/1.0.0", "/noise"});
        chainkit::net::test::run_test(io, [&]() -> asio::awaitable<void> {
            auto r = co_await ms_select(s, "/noise");
            CHECK(r);
        });
        CHECK(s.output == framed({"/multistream/1.0.0", "/noise"}));
        CHECK(s.output.front() == 19);  // varint length includes the newline
    }
    SECTION("dialer reports na") {
        ScriptIo s;
        s.feed({"/multistream/1.0.0", "na"});
        chainkit::net::test::run_test(io, [&]() -> asio::awaitable<void> {
            auto r = co_await ms_select(s, "/yamux/1.0.0");
            CHECK(r.error().code == make_error_code(errc::protocol_not_supported));
        });
    }
    SECTION("listener answers na until a supported proposal") {
        ScriptIo s;
        s.feed({"/multistream/1.0.0", "/mplex/6.7.0", "/yamux/1.0.0"});
        chainkit::net::test::run_test(io, [&]() -> asio::awaitable<void> {
            const std::function<bool(std::string_view)> ok = [](std::string_view p) { return p == "/yamux/1.0.0"; };
            auto r = co_await ms_handle(s, ok);
            REQUIRE(r);
            CHECK(*r == "/yamux/1.0.0");
        });
        CHECK(s.output == framed({"/multistream/1.0.0", "na", "/yamux/1.0.0"}));
    }
    SECTION("malformed messages are refused") {
        ScriptIo s;
        s.input = {0x81, 0x08};  // length 1025: a well-formed varint over the bound
        chainkit::net::test::run_test(io, [&]() -> asio::awaitable<void> {
            auto r = co_await ms_read(s);
            CHECK(r.error().code == make_error_code(errc::negotiation_failed));
        });
        ScriptIo t;
        t.input = {3, 'a', 'b', 'c'};  // no trailing newline
        chainkit::net::test::run_test(io, [&]() -> asio::awaitable<void> {
            auto r = co_await ms_read(t);
            CHECK(r.error().code == make_error_code(errc::negotiation_failed));
        });
    }
}
