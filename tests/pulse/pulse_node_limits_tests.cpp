// Covers what examples/pulse_p2p/src/pulse_node.cpp and pulse_session.cpp
// bound or skip: a full chain (label integration).
#include "pulse_node_fixture.hpp"

using namespace chainkit;
using namespace chainkit::pulse;
using namespace chainkit::pulse::test;

namespace {

std::vector<Block> chain_of(const Block& genesis, std::size_t blocks, std::int64_t bpm) {
    std::vector<Block> chain{genesis};
    while (chain.size() < blocks) chain.push_back(generate_block(chain.back(), bpm, "t"));
    return chain;
}

}  // namespace

TEST_CASE("a full chain refuses a local block and relays nothing", "[pulse][node][integration]") {
    Net n;
    PulseNode a(n.io.get_executor(), n.host_a, n.genesis, slow_rewrite());
    int changes = 0;
    a.on_chain_changed([&](ChainChange, const std::vector<Block>&, const std::optional<net::PeerId>&) { ++changes; });
    a.start();
    run(n.io, [&]() -> asio::awaitable<void> {
        auto s = co_await n.raw_stream();
        (void)co_await read_chain(*s);
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
