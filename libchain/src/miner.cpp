#include "chainkit/chain/miner.hpp"

#include "chainkit/chain/pow.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>
#include <vector>

namespace chainkit::chain {
namespace {

// Offsets inside the second 64-byte block (header bytes 64..87).
constexpr std::size_t TAIL_TIME = 68 - 64;
constexpr std::size_t TAIL_NONCE = 80 - 64;
constexpr std::uint64_t HEADER_BITS = HEADER_SIZE * 8;  // 704, the padded length field

// Nonces per kernel call and between two looks at the stop flag: about
// 0.07 ms with the interleaved SHA-NI kernels, 1.3 ms with the scalar one,
// so a cancelled search returns almost at once while the call and the check
// stay invisible (the miner runs within a few % of the bare kernel loop).
constexpr std::uint64_t CHECK_INTERVAL = 4096;

void store_le(std::uint8_t* p, std::uint64_t v, int bytes) noexcept {
    for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t load_be32(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// What every thread needs to know about the search; read-only once built.
struct Job {
    NonceScanner scanner;
    BlockHeader tmpl;
    Uint256 target;
    std::uint64_t share_last = 0;    // nonces per thread per timestamp, minus one
    std::uint64_t share_stride = 0;  // distance between two threads' first nonces
};

struct ThreadOutcome {
    std::optional<BlockHeader> header;
    std::uint64_t tries = 0;
};

// floor(2^64 / n) - 1, computed without 128-bit arithmetic.
std::uint64_t whole_space_share_last(unsigned n) noexcept {
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    const bool power_of_two = (n & (n - 1)) == 0;
    return power_of_two ? max / n : max / n - 1;
}

bool meets_target(const Sha256State& state, const Uint256& target) noexcept {
    std::array<std::uint8_t, 32> digest{};
    sha256_state_to_digest(state, digest.data());
    return Uint256::from_be_bytes(digest.data()) <= target;
}

// Searches thread `index`'s share until a hit or a stop request.
ThreadOutcome search_share(const Job& job, unsigned index, std::stop_source& done) {
    const std::stop_token stop = done.get_token();
    NonceScanner scanner = job.scanner;
    std::int64_t time = job.tmpl.time;
    const std::uint64_t first = job.tmpl.nonce + index * job.share_stride;  // wraps by design
    std::uint64_t offset = 0;
    std::uint64_t tries = 0;
    for (;;) {
        const std::uint64_t batch_last = std::min(job.share_last, offset + (CHECK_INTERVAL - 1));
        const NonceSearch batch = search_nonces(scanner, first + offset, batch_last - offset + 1, job.target);
        tries += batch.tries;
        if (batch.hit) {
            BlockHeader found = job.tmpl;
            found.time = time;
            found.nonce = *batch.hit;
            done.request_stop();
            return {found, tries};
        }
        if (stop.stop_requested()) return {std::nullopt, tries};
        if (batch_last == job.share_last) {
            // Share exhausted at this timestamp: a later time keeps the
            // header valid and opens a fresh nonce space.
            if (time == std::numeric_limits<std::int64_t>::max()) return {std::nullopt, tries};
            scanner.set_time(++time);
            offset = 0;
        } else {
            offset = batch_last + 1;
        }
    }
}

unsigned thread_count(unsigned requested) noexcept {
    const unsigned n = requested != 0 ? requested : std::thread::hardware_concurrency();
    return std::clamp(n, 1u, MAX_MINER_THREADS);
}

Job make_job(const BlockHeader& tmpl, const Uint256& target, const MinerOptions& opts, unsigned threads) {
    const std::uint64_t share_last = opts.nonces_per_time == 0
                                         ? whole_space_share_last(threads)
                                         : std::max<std::uint64_t>(1, opts.nonces_per_time / threads) - 1;
    return Job{NonceScanner(tmpl, opts.kernel), tmpl, target, share_last, share_last + 1};
}

}  // namespace

HeaderHasher::HeaderHasher(const BlockHeader& tmpl) noexcept {
    const auto bytes = tmpl.encode();
    m_midstate = SHA256_INITIAL_STATE;
    sha256_compress(m_midstate, bytes.data(), 1);
    std::copy(bytes.begin() + 64, bytes.end(), m_tail.begin());
    m_tail[HEADER_SIZE - 64] = 0x80;
    for (int i = 0; i < 8; ++i) m_tail[56 + i] = static_cast<std::uint8_t>(HEADER_BITS >> (56 - 8 * i));
}

void HeaderHasher::set_time(std::int64_t time) noexcept {
    store_le(m_tail.data() + TAIL_TIME, static_cast<std::uint64_t>(time), 8);
}

void HeaderHasher::set_nonce(std::uint64_t nonce) noexcept {
    store_le(m_tail.data() + TAIL_NONCE, nonce, 8);
}

BlockHash HeaderHasher::hash() const noexcept {
    Sha256State state{};
    compress(sha256_best_impl(), state);
    BlockHash out;
    sha256_state_to_digest(state, out.bytes().data());
    return out;
}

NonceSearch search_nonces(const NonceScanner& scanner, std::uint64_t first, std::uint64_t count,
                          const Uint256& target) noexcept {
    std::array<std::uint8_t, 32> be{};
    target.to_be_bytes(be.data());
    const std::uint32_t target_top = load_be32(be.data());
    NonceSearch out;
    for (std::uint64_t pos = 0; pos < count;) {
        const std::uint64_t remaining = count - pos;
        const std::uint64_t candidate = scanner.scan(first + pos, remaining, target_top);
        out.tries += candidate == remaining ? remaining : candidate + 1;
        if (candidate == remaining) break;
        // The early reject passed on the first digest word: check the rest.
        pos += candidate;
        Sha256State state{};
        scanner.states(first + pos, &state, 1);
        if (meets_target(state, target)) {
            out.hit = first + pos;
            break;
        }
        ++pos;
    }
    return out;
}

MineResult mine_header(const BlockHeader& tmpl, const MinerOptions& opts, std::stop_token stop) {
    const auto target = decode_compact(tmpl.bits);
    if (!target) return {};
    const unsigned threads = thread_count(opts.threads);
    const Job job = make_job(tmpl, *target, opts, threads);
    const auto start = std::chrono::steady_clock::now();

    std::vector<ThreadOutcome> outcomes(threads);
    {
        // One source stops every thread: a hit, the caller's token, or an
        // exception while starting threads (the guard below).
        std::stop_source done;
        std::stop_callback forward(stop, [&done] { done.request_stop(); });
        std::vector<std::jthread> workers;
        struct StopAndJoin {
            std::stop_source& done;
            std::vector<std::jthread>& workers;
            ~StopAndJoin() {
                done.request_stop();
                workers.clear();  // joins
            }
        } guard{done, workers};
        workers.reserve(threads - 1);
        for (unsigned i = 1; i < threads; ++i)
            workers.emplace_back([&job, &outcomes, &done, i] { outcomes[i] = search_share(job, i, done); });
        outcomes[0] = search_share(job, 0, done);
    }

    MineResult result;
    result.kernel = job.scanner.kernel();
    result.threads = threads;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (auto& o : outcomes) {
        result.tries += o.tries;
        if (!result.header && o.header) result.header = o.header;
    }
    return result;
}

MineResult mine_block(Block& block, const MinerOptions& opts, std::stop_token stop) {
    MineResult result = mine_header(block.header, opts, std::move(stop));
    if (result.header) block.header = *result.header;
    return result;
}

}  // namespace chainkit::chain
