#include "task_queue.hpp"

#include "thread_priority.hpp"

#include <utility>

namespace chainkit::rpc::detail {

BoundedTaskQueue::BoundedTaskQueue(std::size_t threads, std::size_t max_queued, int nice)
    : m_max_queued(max_queued == 0 ? 1 : max_queued) {
    if (threads == 0) threads = 1;
    m_threads.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        m_threads.emplace_back([this, nice] {
            lower_this_thread_priority(nice);
            work();
        });
}

BoundedTaskQueue::~BoundedTaskQueue() {
    shutdown();
}

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
    std::unique_lock lock(m_mutex);
    // After shutdown nothing may be dropped either: the job owns a socket
    // that only the job closes.
    m_room.wait(lock, [&] { return m_jobs.size() < m_max_queued || m_shutdown; });
    m_jobs.push_back(std::move(fn));
    lock.unlock();
    m_ready.notify_one();
}

std::size_t BoundedTaskQueue::queued() {
    const std::lock_guard lock(m_mutex);
    return m_jobs.size();
}

void BoundedTaskQueue::shutdown() {
    {
        std::lock_guard lock(m_mutex);
        if (m_shutdown && m_threads.empty()) return;
        m_shutdown = true;
    }
    m_ready.notify_all();
    m_room.notify_all();
    for (auto& t : m_threads)
        if (t.joinable()) t.join();
    m_threads.clear();
}

void BoundedTaskQueue::work() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_ready.wait(lock, [&] { return !m_jobs.empty() || m_shutdown; });
            if (m_jobs.empty()) return;  // shut down and drained
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        m_room.notify_one();
        try {
            job();
        } catch (...) {
            // httplib handles its own errors; whatever escapes must not end the thread.
        }
    }
}

}  // namespace chainkit::rpc::detail
