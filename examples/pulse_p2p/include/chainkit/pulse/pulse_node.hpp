#pragma once
// The gossip half of pulse_p2p over chainkit::transport: serves and opens
// /p2p/1.0.0 streams, each carrying whole chains as newline-terminated JSON
// lines in both directions, as the original go tutorial does. A received
// chain replaces ours only if longer and valid (see PulseChain::offer); bad
// lines are logged with their reason and dropped, and a stream that sends
// `max_faults` of them is reset and its peer disconnected. A line equal to our
// own chain's, or to the last good line of its stream, is skipped unparsed.
// Partial lines of all streams share one byte budget. A chain we adopt or
// extend is queued to every open stream at once, and every stream also gets
// our chain every `interval` (the original's rewrite loop).
//
// Thread-safety: like the Host, a PulseNode lives on the host's executor; call
// it only from there. Its callbacks run there too.

// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include <asio/any_io_executor.hpp>

#include <chainkit/net/host.hpp>
#include <chainkit/net/multiaddr.hpp>
#include <chainkit/net/peer_id.hpp>
#include <chainkit/pulse/chain.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::pulse {

/// The original tutorial's user-defined protocol name.
inline constexpr std::string_view PROTOCOL = "/p2p/1.0.0";

struct NodeConfig {
    std::chrono::milliseconds interval{5000};        // periodic rewrite to every stream
    std::size_t max_line_bytes = MAX_LINE_BYTES;     // longer lines reset the stream unbuffered
    int max_faults = 3;                              // bad lines on one stream before disconnect
    std::size_t max_streams_per_peer = 4;            // more /p2p/1.0.0 streams from one peer are reset
    std::chrono::milliseconds write_timeout{30000};  // a peer that stops reading is dropped
    std::chrono::milliseconds redial_min{500};       // backoff for -d targets
    std::chrono::milliseconds redial_max{30000};
    // Bytes of partial lines held by all streams together (eight of the
    // longest lines). Past it, the streams holding the most are reset to make
    // room for one that would hold less; a stream that would itself hold the
    // most is reset instead.
    std::size_t max_buffered_line_bytes = 64 << 20;
};

enum class ChainChange { added, adopted };

/// What the node did with received lines (for tests and logs).
struct NodeStats {
    std::uint64_t lines_parsed = 0;        // parsed (and validated if longer)
    std::uint64_t lines_skipped = 0;       // equal to our chain's line or to the stream's last good line
    std::uint64_t over_budget_resets = 0;  // streams reset by the line budget (refused or evicted)
};

/// Called after our chain changed: `from` is the peer it was adopted from.
using ChainCallback =
    std::function<void(ChainChange, const std::vector<Block>& chain, const std::optional<net::PeerId>& from)>;

class PulseNode {
public:
    PulseNode(asio::any_io_executor ex, net::Host& host, Block genesis, NodeConfig config = {});
    ~PulseNode();  // stop()s
    PulseNode(const PulseNode&) = delete;
    PulseNode& operator=(const PulseNode&) = delete;

    void on_chain_changed(ChainCallback cb);
    /// Registers the /p2p/1.0.0 handler and starts the rewrite timer.
    void start();
    /// Dials `target` and keeps one /p2p/1.0.0 stream open to it, redialing
    /// with backoff when it fails or closes, until stop().
    void connect(net::Multiaddr target);
    /// Appends a block with this BPM and time text and relays the chain; a
    /// full chain (PulseChain::append) is refused with its reason.
    Verdict add_bpm(std::int64_t bpm, std::string timestamp);

    const PulseChain& chain() const noexcept;
    std::size_t stream_count() const noexcept;
    const NodeStats& stats() const noexcept;
    /// Bytes of partial lines held now, across every stream.
    std::size_t buffered_line_bytes() const noexcept;
    /// Resets every stream, stops timers and redials. Idempotent.
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

}  // namespace chainkit::pulse
