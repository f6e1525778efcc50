// Covers what examples/pulse_p2p/src/pulse_node.cpp and pulse_session.cpp
// bound or skip: the node-wide budget of partial lines, unparsed repeats of
// known lines, and a full chain (label integration).
#include "pulse_node_fixture.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace chainkit;
using namespace chainkit::pulse;
using namespace chainkit::pulse::test;

namespace {

std::vector<Block> chain_of(const Block& genesis, std::size_t blocks, std::int64_t bpm) {
    std::vector<Block> chain{genesis};
    while (chain.size() < blocks) chain.push_back(generate_block(chain.back(), bpm, "t"));
    return chain;
}

// What spdlog's default logger writes while it lives.
class LogCapture {
public:
    LogCapture() { spdlog::default_logger()->sinks().push_back(m_sink); }
    ~LogCapture() {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    [[nodiscard]] std::string text() const { return m_text.str(); }

private:
    std::ostringstream m_text;
    std::shared_ptr<spdlog::sinks::ostream_sink_st> m_sink = std::make_shared<spdlog::sinks::ostream_sink_st>(m_text);
};

// The node-wide line budget under attack: node A (64 KiB line bound, 256 KiB
// for the partial lines of all its streams) linked to an honest node B, the
// log captured, and attackers that each hold a near-max partial line on A.
struct BudgetArena {
    static NodeConfig budget_config() {
        NodeConfig c = slow_rewrite();
        c.max_line_bytes = 64 * 1024;
        c.max_buffered_line_bytes = 256 * 1024;
        return c;
    }
    inline static const std::string HEAD = std::string(63 * 1024, '{');  // one byte short of the line bound, no newline

    LogCapture log;  // first: captures from the nodes' construction on
    Net n;
    NodeConfig cfg = budget_config();
    PulseNode a{n.io.get_executor(), n.host_a, n.genesis, cfg};
    PulseNode b{n.io.get_executor(), n.host_b, n.genesis, slow_rewrite()};
    std::vector<std::unique_ptr<net::Host>> attackers;  // 4 streams each: the node's per-peer limit
    std::vector<std::shared_ptr<net::Stream>> streams;

    BudgetArena() {
        a.start();
        b.start();
        b.connect(n.addr_a());
    }

    // Attack stream number `i`: every fourth on a new attacker host (seeded
    // seed_base + i); reads A's greeting, then writes HEAD and no newline.
    asio::awaitable<void> hold_partial_line(int i, std::uint64_t seed_base) {
        if (i % 4 == 0) {
            attackers.push_back(std::make_unique<net::Host>(
                n.io.get_executor(), net::Identity::from_seed(seed_base + static_cast<std::uint64_t>(i))));
            auto peer = co_await attackers.back()->dial(n.addr_a());
            REQUIRE(peer);
        }
        auto opened = co_await attackers.back()->open_stream(n.host_a.peer_id(), std::string(PROTOCOL));
        REQUIRE(opened);
        streams.push_back(*opened);
        (void)co_await read_chain(*streams.back());
        (void)co_await write_text(*streams.back(), HEAD);
    }
};

}  // namespace

TEST_CASE("partial lines of all streams share one budget", "[pulse][node][integration]") {
    Net n;
    NodeConfig cfg = slow_rewrite();
    cfg.max_buffered_line_bytes = 64 * 1024;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, cfg);
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        const std::string line = to_json_line(chain_of(n.genesis, 300, 70));
        REQUIRE(line.size() > 48 * 1024);  // a second 40 KiB head cannot fit beside it
        REQUIRE(line.size() < 64 * 1024);  // but the whole line does
        const std::string head = line.substr(0, 40 * 1024);
        auto s1 = co_await n.raw_stream();
        auto s2 = co_await n.raw_stream();
        (void)co_await read_chain(*s1);
        (void)co_await read_chain(*s2);
        auto w1 = co_await write_text(*s1, head);
        REQUIRE(w1);
        bool held = co_await eventually([&] { return a.buffered_line_bytes() >= head.size(); });
        REQUIRE(held);
        // Within its own line bound, but 40 + 40 KiB pass the node's 64 KiB:
        // s1, holding more than s2 asks for, is reset to make room.
        (void)co_await write_text(*s2, head);
        auto refused = co_await s1->read_line(MAX_LINE_BYTES);
        CHECK_FALSE(refused);
        CHECK(a.stats().over_budget_resets == 1);
        bool one_left = co_await eventually([&] { return a.stream_count() == 1; });
        CHECK(one_left);
        // The stream that got the room finishes its line and is served.
        auto w2 = co_await write_text(*s2, std::string_view(line).substr(head.size()));
        REQUIRE(w2);
        bool adopted = co_await eventually([&] { return a.chain().size() == 300; });
        CHECK(adopted);
        CHECK(a.buffered_line_bytes() == 0);
        a.stop();
    });
}

// Many streams each hold a near-max partial line. The budget counts the
// memory they pin (capacity, doubling included), so the total stays under
// it; the stream that would pass it is reset with a log line, and the node
// still gossips with an honest peer meanwhile.
TEST_CASE("many near-max partial lines stay within the node's budget", "[pulse][node][integration]") {
    BudgetArena t;
    run(t.n.io, [&]() -> asio::awaitable<void> {
        bool linked = co_await eventually([&] { return t.a.stream_count() == 1; });
        REQUIRE(linked);
        std::size_t peak = 0;
        for (int i = 0; i < 10; ++i) {
            co_await t.hold_partial_line(i, 340);
            co_await eventually([&] {
                peak = std::max(peak, t.a.buffered_line_bytes());
                return t.a.stats().over_budget_resets > 0 ||
                       t.a.buffered_line_bytes() >= (i + 1) * BudgetArena::HEAD.size();
            });
        }
        CHECK(peak <= t.cfg.max_buffered_line_bytes);
        CHECK(t.a.buffered_line_bytes() <= t.cfg.max_buffered_line_bytes);
        CHECK(t.a.stats().over_budget_resets >= 1);
        CHECK(t.log.text().find("partial lines of all streams would pass 262144 bytes") != std::string::npos);
        // The honest peer still gets what this node gossips.
        REQUIRE(t.a.add_bpm(72, "T1").ok());
        bool at_b = co_await eventually([&] { return t.b.chain().size() == 2; });
        CHECK(at_b);
        for (auto& h : t.attackers) h->stop();
        t.a.stop();
        t.b.stop();
    });
}

// Attackers fill the node-wide budget with partial lines and stay. The budget
// used to refuse whoever came next, so an honest peer's next line reset its
// own stream and the attackers kept the budget; now the largest holders are
// reset to make room for a smaller line.
TEST_CASE("an honest peer's line gets through while attackers hold the line budget", "[pulse][node][integration]") {
    BudgetArena t;
    run(t.n.io, [&]() -> asio::awaitable<void> {
        bool linked = co_await eventually([&] { return t.a.stream_count() == 1; });
        REQUIRE(linked);
        const std::size_t head = BudgetArena::HEAD.size();
        std::size_t peak = 0;
        // Six 63 KiB heads do not fit 256 KiB: the budget is full after four.
        for (int i = 0; i < 6; ++i) {
            co_await t.hold_partial_line(i, 360);
            // Each head past the fourth costs one stream (itself before, a holder now).
            const std::size_t resets = i >= 4 ? static_cast<std::size_t>(i - 3) : 0;
            const std::size_t full = static_cast<std::size_t>(std::min(i + 1, 4)) * head;
            bool settled = co_await eventually([&] {
                peak = std::max(peak, t.a.buffered_line_bytes());
                return t.a.stats().over_budget_resets >= resets && t.a.buffered_line_bytes() >= full;
            });
            REQUIRE(settled);
        }
        const auto resets_before = t.a.stats().over_budget_resets;
        // The honest peer's next line: a chain one block longer.
        REQUIRE(t.b.add_bpm(72, "T1").ok());
        bool adopted = co_await eventually([&] { return t.a.chain().size() == 2; });
        CHECK(adopted);
        peak = std::max(peak, t.a.buffered_line_bytes());
        CHECK(peak <= t.cfg.max_buffered_line_bytes);
        CHECK(t.a.stats().over_budget_resets > resets_before);  // an attacker made room
        bool named = false;
        for (const auto& h : t.attackers)
            named = named || t.log.text().find("stream with " + h->peer_id().to_string() +
                                               " (in) reset to make room") != std::string::npos;
        CHECK(named);
        t.a.stop();
        t.b.stop();
    });
    for (auto& h : t.attackers) h->stop();
}

TEST_CASE("a line equal to our chain or to the stream's last good line is not parsed again",
          "[pulse][node][integration]") {
    Net n;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, slow_rewrite());
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        auto s = co_await n.greeted_stream();
        REQUIRE(a.add_bpm(70, "A1").ok());
        REQUIRE(a.add_bpm(71, "A2").ok());
        const auto ours = co_await read_chain(*s);
        REQUIRE(ours.size() == 3);
        const std::string shorter = to_json_line(chain_of(n.genesis, 2, 60));
        for (int i = 0; i < 3; ++i) {
            auto w = co_await write_text(*s, to_json_line(ours) + shorter);
            REQUIRE(w);
        }
        bool counted = co_await eventually([&] { return a.stats().lines_skipped + a.stats().lines_parsed == 6; });
        REQUIRE(counted);
        CHECK(a.stats().lines_parsed == 1);  // the shorter chain, the first time only
        CHECK(a.stats().lines_skipped == 5);
        // A line that differs is parsed and judged as before, however often it comes.
        auto forged = chain_of(n.genesis, 4, 60);
        forged[3].bpm = 99;
        for (int i = 0; i < 2; ++i) {
            auto w = co_await write_text(*s, to_json_line(forged));
            REQUIRE(w);
        }
        bool judged = co_await eventually([&] { return a.stats().lines_parsed == 3; });
        CHECK(judged);
        const auto longer = chain_of(n.genesis, 4, 60);
        auto w = co_await write_text(*s, to_json_line(longer));
        REQUIRE(w);
        bool adopted = co_await eventually([&] { return a.chain().blocks() == longer; });
        CHECK(adopted);
        CHECK(a.stats().lines_parsed == 4);
        a.stop();
    });
}

TEST_CASE("peers that agree skip each other's periodic rewrites", "[pulse][node][integration]") {
    Net n;
    NodeConfig cfg;
    cfg.interval = 20ms;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, cfg);
    PulseNode b(n.io.get_executor(), n.host_b, n.genesis, cfg);
    a.start();
    b.start();
    b.connect(n.addr_a());
    run(n.io, [&]() -> asio::awaitable<void> {
        REQUIRE(a.add_bpm(72, "T1").ok());
        bool agreed = co_await eventually([&] { return b.chain().blocks() == a.chain().blocks(); });
        REQUIRE(agreed);
        // b's rewrites of its genesis-only chain written before it adopted
        // a's may still be in flight to a, and the first is parsed (it
        // matched neither a's chain nor a last good line; a failure under
        // load). A skip after agreement on each side means they are all
        // behind: a skipped line either came after b adopted (the stream
        // keeps order) or repeated a genesis line a had parsed already.
        const auto skipped_a = a.stats().lines_skipped;
        const auto skipped_b = b.stats().lines_skipped;
        bool settled = co_await eventually(
            [&] { return a.stats().lines_skipped > skipped_a && b.stats().lines_skipped > skipped_b; });
        REQUIRE(settled);
        const auto parsed_a = a.stats().lines_parsed;
        const auto parsed_b = b.stats().lines_parsed;
        const auto base_a = a.stats().lines_skipped;
        const auto base_b = b.stats().lines_skipped;
        bool rewrites = co_await eventually(
            [&] { return a.stats().lines_skipped >= base_a + 5 && b.stats().lines_skipped >= base_b + 5; });
        CHECK(rewrites);
        CHECK(a.stats().lines_parsed == parsed_a);
        CHECK(b.stats().lines_parsed == parsed_b);
        a.stop();
        b.stop();
    });
}

TEST_CASE("a full chain refuses a local block and relays nothing", "[pulse][node][integration]") {
    Net n;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, slow_rewrite());
    int changes = 0;
    a.on_chain_changed([&](ChainChange, const std::vector<Block>&, const std::optional<net::PeerId>&) { ++changes; });
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        auto s = co_await n.greeted_stream();
        const auto full = chain_of(n.genesis, MAX_CHAIN_BLOCKS, 60);
        auto w = co_await write_text(*s, to_json_line(full));
        REQUIRE(w);
        bool adopted = co_await eventually([&] { return a.chain().size() == MAX_CHAIN_BLOCKS; });
        REQUIRE(adopted);
        REQUIRE(changes == 1);
        auto v = a.add_bpm(72, "T1");
        CHECK(v.fault == Fault::too_many_blocks);
        CHECK(a.chain().blocks() == full);
        CHECK(changes == 1);
        a.stop();
    });
}

TEST_CASE("a stream that stops reading is reset after write_timeout, not after the interval",
          "[pulse][node][integration]") {
    Net n;
    NodeConfig cfg = slow_rewrite();  // 60 s: the rewrite never comes during the test
    cfg.write_timeout = 200ms;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, cfg);
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        auto idle = co_await n.greeted_stream();  // never read again
        auto sender = co_await n.greeted_stream();
        // A chain line larger than the stream window: relaying it to `idle` blocks.
        const std::string big = to_json_line(chain_of(n.genesis, MAX_CHAIN_BLOCKS, 60));
        REQUIRE(big.size() > net::HostConfig{}.stream_window);
        auto w = co_await write_text(*sender, big);
        REQUIRE(w);
        bool adopted = co_await eventually([&] { return a.chain().size() == MAX_CHAIN_BLOCKS; });
        REQUIRE(adopted);
        bool reset = co_await eventually([&] { return a.stream_count() == 1; }, 5s);
        CHECK(reset);
        a.stop();
    });
}
