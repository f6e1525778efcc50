// Verifies batches of Ed25519 signatures on all cores, as Bitcoin Core's
// CCheckQueue does for scripts. The calling thread works too, so a queue of
// N threads uses N-1 workers. The result never depends on the thread count:
// it reports the lowest failing index.
//
// Thread-safety: one verify() at a time per queue (callers serialize it;
// the chain state owns one queue).
#pragma once

#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/keys.hpp"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace chainkit::chain {

struct SigCheck {
    PublicKey pubkey{};
    Hash256 message;
    Signature signature{};
};

class SigCheckQueue {
public:
    // threads = 0 means one per hardware thread.
    explicit SigCheckQueue(unsigned threads = 0);
    ~SigCheckQueue();
    SigCheckQueue(const SigCheckQueue&) = delete;
    SigCheckQueue& operator=(const SigCheckQueue&) = delete;

    // Index of the first invalid signature, or nullopt if all are valid.
    [[nodiscard]] std::optional<std::size_t> verify(std::span<const SigCheck> checks);
    [[nodiscard]] unsigned threads() const noexcept { return static_cast<unsigned>(m_workers.size()) + 1; }

private:
    void worker_loop();
    void work_on_batch();

    std::mutex m_mutex;
    std::condition_variable m_work_cv;
    std::condition_variable m_done_cv;
    std::vector<std::thread> m_workers;
    bool m_stopping = false;
    std::uint64_t m_generation = 0;     // bumped per batch so idle workers wake once
    std::span<const SigCheck> m_batch;  // guarded by m_mutex
    std::size_t m_next = 0;             // next unclaimed index, guarded by m_mutex
    std::size_t m_first_failure = 0;    // guarded by m_mutex; == size means none
    unsigned m_busy = 0;                // workers inside the batch, guarded by m_mutex
};

}  // namespace chainkit::chain
