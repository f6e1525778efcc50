// One thread that runs jobs in the order they were posted. The node uses its
// ChainState (and, by its choice, its Mempool) only from jobs of one
// ChainWorker, so signature checks, RocksDB writes and reorgs never run on
// the network thread: a 1 MB block or a 100-block reorg delays no ping.
// libchain has no Asio: a job hands its result back however the poster
// chooses, e.g. the node's job ends with asio::post(io, [r] { ... }).
//
//   worker.post([&cs, block, now, io = &io, peer] {
//       auto r = cs.accept_block(block, now);           // on the worker
//       asio::post(*io, [r, peer] { peer->on_result(r); });  // back on the network thread
//   });
//
// Thread-safety: post(), stop(), queued() and on_worker_thread() may be
// called from any thread. Jobs run one at a time, in FIFO order, on the
// worker thread; a job may post further jobs (they run after the queue's
// current content). A job must not call stop() or destroy the worker (it
// would join itself). A job that throws terminates the program, as an
// exception escaping a std::thread does: validation returns results, it
// does not throw.
// Shutdown: stop(StopMode::discard) (also what the destructor does) lets
// the running job finish, destroys the queued jobs without running them
// (on the thread calling stop) and joins; stop(StopMode::drain) runs every
// queued job first. After stop, post() refuses new jobs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace chainkit::chain {

enum class StopMode { discard, drain };

class ChainWorker {
public:
    ChainWorker();  // starts the thread; throws std::system_error if it cannot
    ~ChainWorker();
    ChainWorker(const ChainWorker&) = delete;
    ChainWorker& operator=(const ChainWorker&) = delete;

    // Queues `job`; false (and `job` destroyed unrun) once stop() began.
    bool post(std::function<void()> job);
    // Idempotent; see the shutdown contract above.
    void stop(StopMode mode = StopMode::discard);

    [[nodiscard]] std::size_t queued() const;  // jobs posted and not yet started
    [[nodiscard]] bool on_worker_thread() const noexcept { return std::this_thread::get_id() == m_thread_id; }

private:
    void run();

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;  // guarded by m_mutex
    bool m_stopping = false;                   // guarded by m_mutex
    bool m_drain = false;                      // guarded by m_mutex
    std::mutex m_join_mutex;
    std::thread m_thread;
    std::thread::id m_thread_id;  // written before any job runs, then read-only
};

}  // namespace chainkit::chain
