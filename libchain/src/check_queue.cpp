#include "chainkit/chain/check_queue.hpp"

#include <algorithm>

namespace chainkit::chain {
namespace {
// Checks claimed per lock acquisition: large enough that the mutex is cheap
// next to ~50 us of Ed25519 work, small enough to balance the tail.
constexpr std::size_t CHUNK = 16;
}  // namespace

SigCheckQueue::SigCheckQueue(unsigned threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 1; i < threads; ++i) m_workers.emplace_back([this] { worker_loop(); });
}

SigCheckQueue::~SigCheckQueue() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_work_cv.notify_all();
    for (auto& t : m_workers) t.join();
}

void SigCheckQueue::work_on_batch() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        const std::size_t begin = m_next;
        if (begin >= m_batch.size()) return;
        const std::size_t end = std::min(begin + CHUNK, m_batch.size());
        m_next = end;
        const auto batch = m_batch;
        lock.unlock();
        std::size_t failure = batch.size();
        for (std::size_t i = begin; i < end; ++i) {
            const auto& c = batch[i];
            if (!verify_signature(c.pubkey, c.message, c.signature)) {
                failure = i;
                break;
            }
        }
        lock.lock();
        m_first_failure = std::min(m_first_failure, failure);
    }
}

void SigCheckQueue::worker_loop() {
    std::uint64_t seen = 0;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_work_cv.wait(lock, [&] { return m_stopping || m_generation != seen; });
        if (m_stopping) return;
        seen = m_generation;
        ++m_busy;
        lock.unlock();
        work_on_batch();
        lock.lock();
        if (--m_busy == 0) m_done_cv.notify_all();
    }
}

std::optional<std::size_t> SigCheckQueue::verify(std::span<const SigCheck> checks) {
    {
        std::lock_guard lock(m_mutex);
        m_batch = checks;
        m_next = 0;
        m_first_failure = checks.size();
        ++m_generation;
    }
    m_work_cv.notify_all();
    work_on_batch();
    std::unique_lock lock(m_mutex);
    // Workers that woke for this batch may still be verifying a chunk.
    m_done_cv.wait(lock, [&] { return m_busy == 0; });
    const std::size_t failure = m_first_failure;
    m_batch = {};
    if (failure < checks.size()) return failure;
    return std::nullopt;
}

}  // namespace chainkit::chain
