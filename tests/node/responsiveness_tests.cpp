// The network thread keeps answering while the chain worker is busy (issue
// 10 section 5): a peer's pings are answered within a bound while the node
// runs a 100-block reorg on its chain::ChainWorker, over a store whose
// writes stall (as a slow disk's would), so the reorg's job outlasts the
// bound several times over.
#include "chainkit/chain/chain_worker.hpp"

#include "node_harness.hpp"
#include "support/raw_peer.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace chainkit;
using namespace chainkit::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t REORG_DEPTH = 100;
constexpr auto WRITE_STALL = 200ms;  // each store batch while `stall` is set
constexpr auto PING_BOUND = 200ms;   // dev build, loaded machine: still far below the job's length

// A MemoryChainStore whose writes take WRITE_STALL longer while `stall` is set.
class StallingStore final : public chain::ChainStore {
public:
    std::atomic<bool> stall{false};

    std::optional<chain::Coin> get_coin(const chain::OutPoint& o) const override { return m_inner.get_coin(o); }
    Result<std::optional<chain::ChainMeta>> read_meta() const override { return m_inner.read_meta(); }
    Result<std::vector<std::pair<chain::BlockHash, chain::BlockIndexRecord>>> read_index() const override {
        return m_inner.read_index();
    }
    Result<std::optional<chain::Block>> read_block(const chain::BlockHash& h) const override {
        return m_inner.read_block(h);
    }
    Result<std::optional<chain::BlockUndo>> read_undo(const chain::BlockHash& h) const override {
        return m_inner.read_undo(h);
    }
    Result<std::vector<chain::OwnedCoin>> coins_for(const chain::KeyHash& k) const override {
        return m_inner.coins_for(k);
    }
    Result<void> for_each_coin(
        const std::function<bool(const chain::OutPoint&, const chain::Coin&)>& f) const override {
        return m_inner.for_each_coin(f);
    }
    Result<void> write(const chain::StoreBatch& b) override {
        if (stall) std::this_thread::sleep_for(WRITE_STALL);
        return m_inner.write(b);
    }
    bool writable() const noexcept override { return true; }

private:
    chain::MemoryChainStore m_inner;
};

// A node as the apps wire it: the chain state and mempool on a ChainWorker
// thread, the node and its host on the io_context the test drives.
struct WorkerNode {
    chain::ConsensusParams params = node_test_params();
    StallingStore store;
    chain::ChainState chain{params, store};
    std::optional<chain::Mempool> mempool;
    chain::ChainWorker worker;
    net::Host host;
    std::atomic<bool> job_running{false};
    std::atomic<std::int64_t> longest_job_ms{0};
    std::optional<node::Node> node;

    WorkerNode(asio::io_context& io, const chain::Block& genesis)
        : host(io.get_executor(), net::Identity::from_seed(2)) {
        REQUIRE(chain.create(genesis).ok());
        mempool.emplace(params, chain.utxo(), chain.height());
        chain.add_observer(&*mempool);
    }
    void start(asio::io_context& io) {
        auto run = [this](std::function<void()> job) {
            worker.post([this, job = std::move(job)] {
                job_running = true;
                const auto t0 = Clock::now();
                job();
                const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
                longest_job_ms = std::max<std::int64_t>(longest_job_ms, took);
                job_running = false;
            });
        };
        node.emplace(io.get_executor(), host,
                     node::NodeDeps{params, chain, *mempool, run, [] { return GENESIS_TIME + 1'000'000; }, nullptr,
                                    nullptr, [](const std::string&) {}},
                     TestNode::fast_config());
        REQUIRE(host.listen(*net::Multiaddr::parse("/ip4/127.0.0.1/tcp/0")).ok());
        node->start();
    }
    ~WorkerNode() {
        if (node) node->stop();
        host.stop();
        worker.stop(chain::StopMode::discard);
        chain.remove_observer(&*mempool);
    }
};

bool has_pong(const RawPeer& p, std::uint64_t nonce) {
    return std::any_of(p.received.begin(), p.received.end(), [&](const node::Message& m) {
        const auto* pong = std::get_if<node::PongMsg>(&m);
        return pong && pong->nonce == nonce;
    });
}

}  // namespace

TEST_CASE("pings are answered within the bound while the chain worker runs a 100-block reorg",
          "[node][responsiveness]") {
    asio::io_context io;
    const auto genesis = shared_genesis();
    WorkerNode victim(io, genesis);
    // Before the worker owns the chain: branch a active, branch b as long
    // (not active at equal work) and one block more to come.
    const auto a_key = TestKey::from_seed(77);
    const auto b_key = TestKey::from_seed(78);
    std::vector<chain::Block> a{genesis}, b{genesis};
    for (std::size_t i = 0; i < REORG_DEPTH; ++i) {
        a.push_back(build_child(a.back(), victim.params, a_key.key_hash));
        REQUIRE(victim.chain.accept_block(a.back(), GENESIS_TIME + 1'000'000).ok());
    }
    for (std::size_t i = 0; i <= REORG_DEPTH; ++i) {
        b.push_back(build_child(b.back(), victim.params, b_key.key_hash));
        if (i < REORG_DEPTH) REQUIRE(victim.chain.accept_block(b.back(), GENESIS_TIME + 1'000'000).ok());
    }
    REQUIRE(victim.chain.tip().hash == a.back().hash());
    victim.start(io);

    RawPeer peer(io, 99, genesis.hash());
    REQUIRE(peer.connect(victim.host.listen_addresses().front()));
    // Let the handshake's chain jobs finish, so the busy job below is the reorg.
    REQUIRE(run_until(io, [&] { return victim.worker.queued() == 0 && !victim.job_running; }));

    victim.store.stall = true;
    std::optional<chain::AcceptResult> reorg;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { reorg = co_await victim.node->submit_block(b.back()); }, asio::detached);

    std::chrono::milliseconds slowest{0};
    std::size_t answered_while_busy = 0;
    for (std::uint64_t nonce = 1; !reorg; ++nonce) {
        const auto sent = Clock::now();
        peer.send(node::PingMsg{nonce});
        REQUIRE(run_until(
            io, [&] { return has_pong(peer, nonce); }, 10s));
        slowest = std::max(slowest, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent));
        if (victim.job_running) ++answered_while_busy;
    }
    victim.store.stall = false;
    INFO("slowest pong " << slowest.count() << " ms, " << answered_while_busy << " answered during chain work, "
                         << "longest chain job " << victim.longest_job_ms << " ms");
    REQUIRE(reorg->ok());
    CHECK(victim.chain.tip().hash == b.back().hash());
    // The reorg held the worker for several bounds; pings kept coming back within one.
    CHECK(victim.longest_job_ms >= 3 * PING_BOUND.count());
    CHECK(answered_while_busy >= 3);
    CHECK(slowest < PING_BOUND);
}
