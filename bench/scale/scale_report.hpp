// scale_bench's report: arrival-time percentiles, per-phase statistics
// (time until the last node, bytes and process CPU per block) and how the
// nodes got their blocks (compact, rebuilt, fetched whole).
#pragma once

#include "scale_cluster.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace chainkit::bench {

struct Sample {
    std::string kind;
    std::size_t round;
    std::vector<double> ms;  // per node
};

inline double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

// CPU seconds this process used (all threads).
inline double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

struct PhaseStats {
    std::vector<double> cpu;        // process CPU seconds per block, submit to quiet network
    std::vector<double> all_ms;     // time until the last node, one per round
    std::vector<double> sizes;      // block bytes
    std::vector<double> bytes;      // sent per node per block
    std::size_t bytes_skipped = 0;  // rounds where a peer session ended between the readings
};

inline void print_phase(const char* what, const PhaseStats& s, double bar_median, double bar_worst) {
    const double med = percentile(s.all_ms, 0.5);
    const double worst = *std::max_element(s.all_ms.begin(), s.all_ms.end());
    const double size = percentile(s.sizes, 0.5);
    const std::string sized = size > 0 ? fmt::format(", median {:.0f} B", size) : std::string();
    fmt::print(
        "{} ({} from random nodes{}): time until every node has it: median {:.1f} ms ({:.2f} of the "
        "{:.0f} ms bar), worst {:.1f} ms ({:.2f} of the {:.0f} ms bar)\n",
        what, s.all_ms.size(), sized, med, med / bar_median, bar_median, worst, worst / bar_worst, bar_worst);
    if (size > 0) {
        const double bytes = percentile(s.bytes, 0.5);
        fmt::print(
            "  chain-protocol bytes sent per node per block: median {:.0f} B = {:.2f}x the block size, max "
            "{:.2f}x (bar < 3x); rounds skipped (a peer session ended): {}\n",
            bytes, bytes / size, percentile(s.bytes, 1.0) / size, s.bytes_skipped);
        fmt::print("  process CPU per block (all nodes, submit to quiet network): median {:.2f} s, max {:.2f} s\n",
                   percentile(s.cpu, 0.5), percentile(s.cpu, 1.0));
    }
}

// How the nodes got their blocks, summed over all nodes.
struct BlockPaths {
    std::uint64_t cmpct = 0, rebuilt = 0, getblocktxn = 0, indexes = 0, completed = 0, fallbacks = 0, full = 0;
};
inline BlockPaths block_paths(Cluster& c) {
    BlockPaths b;
    for (std::size_t i = 0; i < c.nodes.size(); ++i) {
        const auto k = c.counters(i);
        b.cmpct += k.cmpct_received;
        b.rebuilt += k.cmpct_reconstructed;
        b.getblocktxn += k.getblocktxn_sent;
        b.indexes += k.getblocktxn_indexes;
        b.completed += k.blocktxn_completed;
        b.fallbacks += k.cmpct_fallbacks;
        b.full += k.block_getdata_sent;
    }
    return b;
}
inline void print_paths(const BlockPaths& a, const BlockPaths& b, std::size_t blocks, std::size_t nodes) {
    fmt::print(
        "  how {} nodes got {} blocks: {} cmpctblock received, {} rebuilt from the pool alone, {} getblocktxn ({} "
        "transactions), {} completed by blocktxn, {} fell back to the whole block, {} full-block getdata\n",
        nodes - 1, blocks, b.cmpct - a.cmpct, b.rebuilt - a.rebuilt, b.getblocktxn - a.getblocktxn,
        b.indexes - a.indexes, b.completed - a.completed, b.fallbacks - a.fallbacks, b.full - a.full);
}

}  // namespace chainkit::bench
