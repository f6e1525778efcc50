// A fixed pool of threads with a bounded job queue (cpp-httplib's TaskQueue
// interface; httplib's own ThreadPool queues without limit). The connection
// lobby (connection_lobby.hpp) runs the RPC server's requests on it; when
// `max_queued` jobs already wait, enqueue() blocks its caller.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <httplib.h>
#include <mutex>
#include <thread>
#include <vector>

namespace chainkit::rpc::detail {

class BoundedTaskQueue final : public httplib::TaskQueue {
public:
    // nice > 0: the threads run at that lower priority (thread_priority.hpp).
    BoundedTaskQueue(std::size_t threads, std::size_t max_queued, int nice = 0);
    ~BoundedTaskQueue() override;

    void enqueue(std::function<void()> fn) override;
    // Jobs waiting for a thread (none: every job queued has one).
    [[nodiscard]] std::size_t queued();
    // Runs what is queued, then joins the threads.
    void shutdown() override;

private:
    void work();

    std::size_t m_max_queued;
    std::mutex m_mutex;
    std::condition_variable m_ready;           // a job arrived or shutdown
    std::condition_variable m_room;            // a job left the queue
    std::deque<std::function<void()>> m_jobs;  // guarded by m_mutex
    bool m_shutdown = false;                   // guarded by m_mutex
    std::vector<std::thread> m_threads;
};

}  // namespace chainkit::rpc::detail
