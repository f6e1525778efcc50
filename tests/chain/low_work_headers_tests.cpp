// The low-work header defence under attack: a peer feeds 100,000 valid
// regtest headers of a fork with less work than the active chain; the block
// index in memory and on disk does not grow, and what is held in memory stays
// within the bound of low_work_headers.hpp.
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/difficulty.hpp"
#include "chainkit/chain/low_work_headers.hpp"
#include "chainkit/chain/pow.hpp"

#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

#include <span>
#include <vector>

using namespace chainkit::chain;
namespace test = chainkit::test;

namespace {

constexpr std::size_t FLOOD = 100'000;
constexpr std::int64_t NOW = test::GENESIS_TIME + 10'000'000;

// Regtest with a per-block retarget, so an honest chain can carry more work
// in a few blocks (fast timestamps raise the difficulty ~4x per block) than
// 100,000 pow-limit headers of a fork with target-spacing timestamps.
ConsensusParams retarget_params() {
    ConsensusParams p = params_for(Network::regtest);
    p.no_retargeting = false;
    p.retarget_window = 1;
    return p;
}

struct HeavyChain {
    ConsensusParams params = retarget_params();
    test::TestKey miner = test::TestKey::from_seed(1);
    MemoryChainStore store;
    ChainState state{params, store};
    Block genesis = test::make_genesis(params, miner.key_hash);

    HeavyChain() {
        REQUIRE(state.create(genesis).ok());
        // Until the active chain has more work than the whole flood.
        const Uint256 flood_work = block_work(params.pow_limit_bits) * static_cast<std::uint32_t>(FLOOD + 1);
        while (!(state.tip().work > flood_work)) {
            const auto t = *state.header(state.tip().hash);
            const auto ctx = state.next_block_context(t.time + 1);
            REQUIRE(state.accept_block(test::make_block(ctx, miner.key_hash, {}, params), NOW).ok());
        }
    }

    std::size_t stored_index_size() const {
        auto index = store.read_index();
        REQUIRE(index.ok());
        return index->size();
    }
};

// The attacker's fork from genesis, mined once for every test case.
const std::vector<BlockHeader>& flood_headers(const ConsensusParams& p, const Block& genesis) {
    static const std::vector<BlockHeader> headers = [&] {
        std::vector<BlockHeader> out;
        out.reserve(FLOOD);
        BlockHeader h;
        h.prev = genesis.hash();
        h.time = genesis.header.time;
        h.bits = p.pow_limit_bits;  // target-spacing timestamps keep the easiest target
        for (std::size_t i = 0; i < FLOOD; ++i) {
            h.time += p.target_spacing;
            h.nonce = 0;
            test::mine_header(h, p);
            out.push_back(h);
            h.prev = h.hash();
        }
        return out;
    }();
    return headers;
}

constexpr std::size_t HELD_BOUND = MAX_LOW_WORK_SENDERS * MAX_LOW_WORK_HEADERS_PER_SENDER;

}  // namespace

TEST_CASE("low-work flood: 100,000 headers from one sender do not grow the block index", "[low_work][headers]") {
    HeavyChain hc;
    const auto& flood = flood_headers(hc.params, hc.genesis);
    const std::size_t index_before = hc.state.index_size();
    const std::size_t stored_before = hc.stored_index_size();
    const std::span<const BlockHeader> all(flood);

    std::size_t valid = 0;
    for (std::size_t at = 0; at < FLOOD; at += MAX_HEADERS_PER_BATCH) {
        const auto r = hc.state.accept_headers(all.subspan(at, MAX_HEADERS_PER_BATCH), NOW, 42);
        if (at == 0) REQUIRE(r.ok());  // the fork is valid: only its work is low
        valid += r.accepted;
        CHECK(hc.state.index_size() == index_before);
        CHECK(hc.state.low_work_headers().size() <= MAX_LOW_WORK_HEADERS_PER_SENDER);
        CHECK(hc.state.low_work_headers().memory_bytes() <=
              MAX_LOW_WORK_HEADERS_PER_SENDER * LowWorkHeaders::bytes_per_header());
    }
    CHECK(valid > MAX_LOW_WORK_HEADERS_PER_SENDER);  // the attack did exceed the budget
    CHECK(hc.stored_index_size() == stored_before);
    CHECK(hc.state.best_header().hash == hc.state.tip().hash);
}

TEST_CASE("low-work flood: many sender tags stay within the total bound", "[low_work][headers]") {
    HeavyChain hc;
    const auto& flood = flood_headers(hc.params, hc.genesis);
    const std::size_t index_before = hc.state.index_size();
    const std::size_t stored_before = hc.stored_index_size();
    const std::span<const BlockHeader> all(flood);

    // Each tag sends as much as its budget holds: one tag more than there are slots.
    std::size_t fed = 0;
    for (HeaderSender tag = 0; tag <= MAX_LOW_WORK_SENDERS; ++tag) {
        for (std::size_t at = 0; at < MAX_LOW_WORK_HEADERS_PER_SENDER; at += MAX_HEADERS_PER_BATCH) {
            const auto r = hc.state.accept_headers(all.subspan(at, MAX_HEADERS_PER_BATCH), NOW, tag);
            REQUIRE(r.ok());
            CHECK(r.low_work == LowWorkOutcome::held);
            fed += MAX_HEADERS_PER_BATCH;
        }
        CHECK(hc.state.low_work_headers().size() <= HELD_BOUND);
        CHECK(hc.state.low_work_headers().senders() <= MAX_LOW_WORK_SENDERS);
    }
    CHECK(fed == (MAX_LOW_WORK_SENDERS + 1) * MAX_LOW_WORK_HEADERS_PER_SENDER);
    CHECK(hc.state.low_work_headers().size() == HELD_BOUND);
    CHECK(hc.state.low_work_headers().memory_bytes() <= HELD_BOUND * LowWorkHeaders::bytes_per_header());
    CHECK(hc.state.index_size() == index_before);
    CHECK(hc.stored_index_size() == stored_before);
}

TEST_CASE("a sender's held chain is dropped whole when it would exceed its budget", "[low_work][headers]") {
    HeavyChain hc;
    const auto& flood = flood_headers(hc.params, hc.genesis);
    const std::span<const BlockHeader> all(flood);
    LowWorkOutcome last = LowWorkOutcome::none;
    std::size_t at = 0;
    for (; at <= MAX_LOW_WORK_HEADERS_PER_SENDER; at += MAX_HEADERS_PER_BATCH) {
        last = hc.state.accept_headers(all.subspan(at, MAX_HEADERS_PER_BATCH), NOW, 3).low_work;
        if (last != LowWorkOutcome::held) break;
    }
    CHECK(last == LowWorkOutcome::dropped);
    CHECK(at == MAX_LOW_WORK_HEADERS_PER_SENDER);
    CHECK(hc.state.low_work_headers().size() == 0);
    // What follows no longer connects: the sender must start again from a locator.
    const auto r = hc.state.accept_headers(all.subspan(at + MAX_HEADERS_PER_BATCH, 10), NOW, 3);
    CHECK(r.validation.reason == RejectReason::unknown_parent);
}
