#include "chainkit/chain/chain_worker.hpp"

#include <utility>

namespace chainkit::chain {

ChainWorker::ChainWorker() {
    m_thread = std::thread([this] { run(); });
    m_thread_id = m_thread.get_id();
}

ChainWorker::~ChainWorker() {
    stop(StopMode::discard);
}

bool ChainWorker::post(std::function<void()> job) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) return false;
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
    return true;
}

void ChainWorker::stop(StopMode mode) {
    std::deque<std::function<void()>> discarded;
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopping) {
            m_stopping = true;
            m_drain = mode == StopMode::drain;
            if (!m_drain) discarded.swap(m_jobs);
        }
    }
    m_cv.notify_one();
    // Destroyed outside the lock (a job's captures may do anything in their
    // destructors, post() included) and before waiting for the running job.
    discarded.clear();
    std::lock_guard join_lock(m_join_mutex);  // two stop() callers must not both join
    if (m_thread.joinable()) m_thread.join();
}

std::size_t ChainWorker::queued() const {
    std::lock_guard lock(m_mutex);
    return m_jobs.size();
}

void ChainWorker::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
        if (m_jobs.empty() || (m_stopping && !m_drain)) return;
        std::function<void()> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        job();
        job = nullptr;  // captures die on the worker, before the next job
        lock.lock();
    }
}

}  // namespace chainkit::chain
