// ChainWorker: FIFO jobs on one thread, shutdown that drains or discards,
// a long reorg that does not block the posting thread, and a miner stopped
// by a new tip without anyone joining it on the posting thread. Every wait
// is on observed state with a deadline, never a fixed sleep.
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/chain_worker.hpp"
#include "chainkit/chain/miner.hpp"

#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

using namespace chainkit::chain;
namespace test = chainkit::test;

namespace {

constexpr auto DEADLINE = std::chrono::seconds(60);

// A flag one thread raises and another waits for, with a deadline.
class Signal {
public:
    void raise() {
        {
            std::lock_guard lock(m_mutex);
            m_raised = true;
        }
        m_cv.notify_all();
    }
    [[nodiscard]] bool wait() {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, DEADLINE, [this] { return m_raised; });
    }
    [[nodiscard]] bool raised() const {
        std::lock_guard lock(m_mutex);
        return m_raised;
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_raised = false;
};

// Polls `pred` (yielding, no fixed sleep) until it holds or the deadline passes.
template <class Pred>
bool wait_until(Pred pred) {
    const auto end = std::chrono::steady_clock::now() + DEADLINE;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::yield();
    }
    return true;
}

}  // namespace

TEST_CASE("chain worker: jobs run in FIFO order on one thread that is not the poster's", "[chain_worker]") {
    ChainWorker worker;
    std::mutex m;
    std::vector<int> order;
    std::vector<std::thread::id> threads;
    Signal done;
    for (int i = 0; i < 100; ++i) {
        REQUIRE(worker.post([&, i] {
            std::lock_guard lock(m);
            order.push_back(i);
            threads.push_back(std::this_thread::get_id());
            CHECK(worker.on_worker_thread());
        }));
    }
    REQUIRE(worker.post([&] { done.raise(); }));
    REQUIRE(done.wait());
    std::lock_guard lock(m);
    REQUIRE(order.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
    for (const auto& id : threads) CHECK(id == threads.front());
    CHECK(threads.front() != std::this_thread::get_id());
    CHECK_FALSE(worker.on_worker_thread());
}

TEST_CASE("chain worker: stop discards queued jobs unrun and frees them", "[chain_worker]") {
    auto worker = std::make_unique<ChainWorker>();
    Signal started, release;
    auto token = std::make_shared<int>(0);
    std::atomic<int> ran{0};
    REQUIRE(worker->post([&] {
        started.raise();
        CHECK(release.wait());
    }));
    REQUIRE(started.wait());
    for (int i = 0; i < 5; ++i) REQUIRE(worker->post([&ran, token] { ++ran; }));
    CHECK(token.use_count() == 6);

    std::thread stopper([&] { worker->stop(); });
    // The queue is emptied before stop() waits for the running job.
    REQUIRE(wait_until([&] { return token.use_count() == 1; }));
    CHECK_FALSE(worker->post([&ran] { ++ran; }));
    release.raise();
    stopper.join();
    CHECK(ran == 0);
    CHECK(worker->queued() == 0);
    worker.reset();  // a second stop (the destructor) is harmless
}

TEST_CASE("chain worker: stop(drain) runs every queued job first", "[chain_worker]") {
    ChainWorker worker;
    std::atomic<int> ran{0};
    for (int i = 0; i < 50; ++i) REQUIRE(worker.post([&ran] { ++ran; }));
    worker.stop(StopMode::drain);
    CHECK(ran == 50);
    CHECK_FALSE(worker.post([&ran] { ++ran; }));
}

TEST_CASE("chain worker: a 100-block reorg runs while the posting thread goes on", "[chain_worker]") {
    test::TestChain tc;
    for (int i = 0; i < 100; ++i) (void)tc.mine();
    const auto other = test::TestKey::from_seed(4);
    std::vector<Block> branch;
    const Block* last = &tc.genesis;
    for (int i = 0; i <= 100; ++i) {
        branch.push_back(test::build_child(*last, tc.params, other.key_hash));
        last = &branch.back();
    }
    for (int i = 0; i < 100; ++i) REQUIRE(tc.state.accept_block(branch[static_cast<std::size_t>(i)], tc.now()).ok());

    ChainWorker worker;
    Signal posted, done;
    std::optional<AcceptResult> result;  // written by the job before `done`
    REQUIRE(worker.post([&] {
        // Holds the reorg until the poster proves post() returned: a post()
        // that ran the job inline would never get here in time.
        if (!posted.wait()) return;
        result = tc.state.accept_block(branch.back(), tc.now());
        done.raise();
    }));
    posted.raise();
    // The posting thread keeps answering (here: more posts and its own work)
    // while the reorg runs; the ping job runs after the reorg, in order.
    Signal pinged;
    REQUIRE(worker.post([&] { pinged.raise(); }));
    REQUIRE(done.wait());
    REQUIRE(pinged.wait());
    REQUIRE(result.has_value());
    CHECK(result->ok());
    CHECK(result->tip_changed);
    CHECK(tc.state.tip().hash == branch.back().hash());
}

TEST_CASE("chain worker: a new tip stops the miner without the poster joining it", "[chain_worker][miner]") {
    test::TestChain tc;
    ChainWorker worker;

    // An observer on the worker stops the current search when the tip moves.
    struct StopOnTip final : ChainObserver {
        std::stop_source* source;
        explicit StopOnTip(std::stop_source* s) : source(s) {}
        void on_tip_changed(const BlockHash&, std::uint64_t) override { source->request_stop(); }
    };
    std::stop_source source;
    StopOnTip observer(&source);
    tc.state.add_observer(&observer);

    // A search nothing but a stop request can end (a target no hash meets in time).
    BlockHeader tmpl;
    tmpl.prev = tc.state.tip().hash;
    tmpl.bits = 0x03000001;
    Signal mined;
    MineResult found;
    bool stopped = false;  // the search returned after the stop request, not for bad bits
    std::jthread miner([&, stop = source.get_token()] {
        found = mine_header(tmpl, MinerOptions{1, 0}, stop);
        stopped = stop.stop_requested();
        mined.raise();
    });

    const auto block = tc.build();
    std::optional<AcceptResult> accepted;
    REQUIRE(worker.post([&] { accepted = tc.state.accept_block(block, tc.now()); }));
    REQUIRE(mined.wait());  // ends because of the new tip
    CHECK(stopped);
    CHECK_FALSE(found.header.has_value());
    worker.stop(StopMode::drain);
    REQUIRE(accepted.has_value());
    CHECK(accepted->tip_changed);
    tc.state.remove_observer(&observer);
}
