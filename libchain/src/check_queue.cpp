#include "chainkit/chain/check_queue.hpp"

#include <algorithm>
#include <array>

namespace chainkit::chain {
namespace {
// Checks claimed per lock acquisition: large enough that the mutex is cheap
// next to ~35 us of Ed25519 work, small enough to balance the tail.
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

// Unclaimed checks that can still change the answer. Chunks are claimed in
// index order, so once a failure is known every unclaimed check lies above
// it: skipping them keeps the lowest failing index, and an invalid block
// costs only the chunks claimed before its first failure was found.
bool SigCheckQueue::has_work() const noexcept {
    return m_next < m_checks.size() && m_first_failure == NONE;
}

// Claims and verifies chunks while has_work(). Called and returns with
// `lock` held; the chunk is copied so add() may grow m_checks meanwhile.
void SigCheckQueue::drain(std::unique_lock<std::mutex>& lock) {
    std::array<SigCheck, CHUNK> chunk;
    while (has_work()) {
        const std::size_t begin = m_next;
        const std::size_t n = std::min(CHUNK, m_checks.size() - begin);
        m_next = begin + n;
        std::copy_n(m_checks.begin() + static_cast<std::ptrdiff_t>(begin), n, chunk.begin());
        ++m_busy;
        lock.unlock();
        std::size_t failure = NONE;
        for (std::size_t i = 0; i < n; ++i) {
            if (!verify_signature(chunk[i].pubkey, chunk[i].message, chunk[i].signature)) {
                failure = begin + i;
                break;
            }
        }
        lock.lock();
        m_first_failure = std::min(m_first_failure, failure);
        if (--m_busy == 0) m_done_cv.notify_all();
    }
}

void SigCheckQueue::worker_loop() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_work_cv.wait(lock, [&] { return m_stopping || has_work(); });
        if (m_stopping) return;
        drain(lock);
    }
}

void SigCheckQueue::start() {
    std::lock_guard lock(m_mutex);
    m_checks.clear();
    m_next = 0;
    m_first_failure = NONE;
}

void SigCheckQueue::add(std::span<const SigCheck> checks) {
    if (checks.empty()) return;
    {
        std::lock_guard lock(m_mutex);
        m_checks.insert(m_checks.end(), checks.begin(), checks.end());
        m_added += checks.size();
    }
    m_work_cv.notify_all();
}

std::optional<std::size_t> SigCheckQueue::finish() {
    std::unique_lock lock(m_mutex);
    drain(lock);
    // Workers may still be verifying chunks they claimed.
    m_done_cv.wait(lock, [&] { return m_busy == 0; });
    const std::size_t failure = m_first_failure;
    m_checks.clear();
    m_next = 0;
    m_first_failure = NONE;
    if (failure != NONE) return failure;
    return std::nullopt;
}

std::uint64_t SigCheckQueue::checks_added() const {
    std::lock_guard lock(m_mutex);
    return m_added;
}

std::optional<std::size_t> SigCheckQueue::verify(std::span<const SigCheck> checks) {
    start();
    add(checks);
    return finish();
}

}  // namespace chainkit::chain
