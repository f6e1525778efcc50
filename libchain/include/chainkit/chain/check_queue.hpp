// Verifies Ed25519 signatures on all cores, as Bitcoin Core's CCheckQueue
// does for scripts. The calling thread works too, so a queue of N threads
// uses N-1 workers. Two ways to use it:
//  - verify(batch): all checks at once;
//  - start(), add() as the checks are produced (workers verify them while
//    the caller goes on walking the block), finish() (the caller helps and
//    waits). A Session does start/finish as RAII.
// The result never depends on the thread count or on how checks were split
// into add() calls: it is the lowest failing index, counted across adds.
// Checks above a known failure are skipped, not verified.
//
// Thread-safety: one producer at a time (start/add/finish/verify are called
// by one thread; the chain state owns one queue). finish() and verify()
// block their caller until every check is done: that caller is the chain
// state's thread, which in the node is the ChainWorker (chain_worker.hpp),
// never the network thread.
#pragma once

#include "chainkit/chain/hash.hpp"
#include "chainkit/chain/keys.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
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

    // Incremental use. start() on an idle queue; add() hands checks to the
    // workers at once; finish() returns what verify() would for the
    // concatenation of every add() since start(), and makes the queue idle.
    void start();
    void add(std::span<const SigCheck> checks);
    [[nodiscard]] std::optional<std::size_t> finish();

    // start() on construction, finish() on destruction unless finished.
    class Session {
    public:
        explicit Session(SigCheckQueue& q) : m_queue(&q) { q.start(); }
        ~Session() {
            if (m_queue) (void)m_queue->finish();
        }
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;
        void add(std::span<const SigCheck> checks) { m_queue->add(checks); }
        [[nodiscard]] std::optional<std::size_t> finish() {
            auto r = m_queue->finish();
            m_queue = nullptr;
            return r;
        }

    private:
        SigCheckQueue* m_queue;
    };

    [[nodiscard]] unsigned threads() const noexcept { return static_cast<unsigned>(m_workers.size()) + 1; }
    // Checks handed to the queue (verify and add) since construction: how
    // many signatures a caller asked it to verify (tests, metrics).
    [[nodiscard]] std::uint64_t checks_added() const;

private:
    void worker_loop();
    void drain(std::unique_lock<std::mutex>& lock);
    [[nodiscard]] bool has_work() const noexcept;  // with m_mutex held

    mutable std::mutex m_mutex;
    std::condition_variable m_work_cv;
    std::condition_variable m_done_cv;
    std::vector<std::thread> m_workers;
    bool m_stopping = false;             // guarded by m_mutex
    std::vector<SigCheck> m_checks;      // guarded by m_mutex; grows by add()
    std::size_t m_next = 0;              // next unclaimed index, guarded by m_mutex
    std::size_t m_first_failure = NONE;  // guarded by m_mutex
    unsigned m_busy = 0;                 // threads verifying a claimed chunk, guarded by m_mutex
    std::uint64_t m_added = 0;           // guarded by m_mutex

    static constexpr std::size_t NONE = static_cast<std::size_t>(-1);
};

}  // namespace chainkit::chain
