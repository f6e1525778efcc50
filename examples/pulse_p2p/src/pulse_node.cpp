// clang-format off
// Asio chooses aligned_alloc or operator new from libstdc++'s configuration,
// which exists only once a standard header was included: include one before
// any asio header so that every TU agrees (a mixed program frees with the
// wrong function; ASan reports alloc-dealloc-mismatch).
#include <cstddef>
// clang-format on

#include "pulse_session.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chainkit/pulse/chain_json.hpp>
#include <chainkit/pulse/pulse_node.hpp>
#include <utility>

namespace chainkit::pulse {

using detail::Session;

namespace {
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
}

struct PulseNode::Impl {
    Impl(asio::any_io_executor ex, net::Host& h, Block genesis, NodeConfig cfg)
        : executor(std::move(ex)),
          host(h),
          config(cfg),
          chain(std::move(genesis)),
          rewrite_timer(executor),
          line_budget(std::make_shared<LineBudget>(cfg.max_buffered_line_bytes)) {
        refresh_line();
    }

    asio::any_io_executor executor;
    net::Host& host;
    NodeConfig config;
    PulseChain chain;
    std::shared_ptr<const std::string> line;  // to_json_line(chain), shared by every session's slot
    std::vector<std::shared_ptr<Session>> sessions;
    std::vector<std::shared_ptr<asio::steady_timer>> redial_timers;
    asio::steady_timer rewrite_timer;
    ChainCallback on_change;
    std::shared_ptr<LineBudget> line_budget;  // shared with every session
    NodeStats stats;
    bool started = false;
    bool stopped = false;

    void refresh_line() { line = std::make_shared<const std::string>(to_json_line(chain.blocks())); }

    void relay(const Session* except) {
        for (auto& s : sessions)
            if (s.get() != except) s->queue(line);
    }

    void changed(ChainChange what, const std::optional<net::PeerId>& from, const Session* except) {
        refresh_line();
        relay(except);
        if (on_change) on_change(what, chain.blocks(), from);
    }

    // Coroutine entry points take the Impl by value so that their frames keep
    // it alive whenever co_spawn actually starts them.
    static asio::awaitable<void> serve_inbound(std::weak_ptr<Impl> weak, std::shared_ptr<net::Stream> stream,
                                               net::PeerId peer) {
        if (auto impl = weak.lock())
            (void)co_await impl->serve(std::move(stream), std::move(peer), net::Direction::inbound);
        else
            stream->reset();
    }
    static asio::awaitable<void> run_rewrite(std::shared_ptr<Impl> impl) { co_await impl->rewrite_loop(); }
    static asio::awaitable<void> run_dial(std::shared_ptr<Impl> impl, net::Multiaddr target) {
        co_await impl->dial_loop(std::move(target));
    }

    // Both return true when the stream ended because the peer misbehaved.
    asio::awaitable<bool> serve(std::shared_ptr<net::Stream> stream, net::PeerId peer, net::Direction dir);
    asio::awaitable<bool> read_loop(std::shared_ptr<Session> s);
    bool handle_line(Session& s, std::string_view text);
    asio::awaitable<void> rewrite_loop();
    asio::awaitable<void> dial_loop(net::Multiaddr target);
};

asio::awaitable<bool> PulseNode::Impl::serve(std::shared_ptr<net::Stream> stream, net::PeerId peer,
                                             net::Direction dir) {
    if (stopped) {
        stream->reset();
        co_return false;
    }
    // Each stream may buffer up to max_line_bytes: bound them per peer.
    auto same_peer = std::count_if(sessions.begin(), sessions.end(), [&](const auto& x) { return x->peer() == peer; });
    if (static_cast<std::size_t>(same_peer) >= config.max_streams_per_peer) {
        spdlog::warn("pulse: {} already has {} streams open; refusing another", peer.to_string(), same_peer);
        stream->reset();
        co_return true;
    }
    auto s = std::make_shared<Session>(executor, std::move(stream), std::move(peer), dir, line_budget,
                                       config.max_line_bytes);
    sessions.push_back(s);
    spdlog::info("pulse: stream open with {}", s->label());
    // Our chain right away, not after the first interval: peers converge sooner.
    s->queue(line);
    asio::co_spawn(executor, Session::write_loop(s), asio::detached);
    bool faulted = co_await read_loop(s);
    s->close();
    std::erase(sessions, s);
    co_return faulted;
}

asio::awaitable<bool> PulseNode::Impl::read_loop(std::shared_ptr<Session> s) {
    using End = Session::Received::End;
    while (!s->closed()) {
        auto r = co_await s->read_line();
        if (r.end == End::overlong) {
            spdlog::warn("pulse: {} sent a line over {} bytes; stream reset", s->label(), config.max_line_bytes);
            co_return true;
        }
        if (r.end == End::over_budget) {
            ++stats.over_budget_resets;
            spdlog::warn("pulse: partial lines of all streams would pass {} bytes; stream with {} reset",
                         line_budget->limit(), s->label());
            co_return true;
        }
        if (r.end == End::evicted) {
            ++stats.over_budget_resets;
            spdlog::warn(
                "pulse: partial lines of all streams would pass {} bytes; stream with {} reset to make room: "
                "it held {} bytes, more than the stream that needed room",
                line_budget->limit(), s->label(), s->evicted().value_or(0));
            co_return true;
        }
        if (r.end == End::stream) {
            if (!s->closed()) spdlog::info("pulse: stream with {} ended: {}", s->label(), r.ec.message());
            co_return false;
        }
        if (!handle_line(*s, *r.line)) {
            spdlog::warn("pulse: {} sent {} bad lines; disconnecting", s->label(), config.max_faults);
            net::PeerId peer = s->peer();
            s->close();
            host.disconnect(peer);
            co_return true;
        }
    }
    co_return false;
}

// Returns false once the stream has used up its fault allowance.
bool PulseNode::Impl::handle_line(Session& s, std::string_view text) {
    if (text.empty() || text == "\r") return true;  // the original skips blank lines
    // Once peers agree, every rewrite brings our own chain back: skip it, and
    // a repeat of this stream's last good line, before parsing anything.
    if (text == std::string_view(*line).substr(0, line->size() - 1) || s.same_as_remembered(text)) {
        ++stats.lines_skipped;
        return true;
    }
    ++stats.lines_parsed;
    std::vector<Block> received;
    Verdict v = parse_chain(text, received);
    if (v.ok()) {
        auto offered = chain.offer(std::move(received));
        if (offered.outcome != PulseChain::Offer::invalid) s.remember_line(text);
        if (offered.outcome == PulseChain::Offer::adopted) {
            spdlog::info("pulse: adopted a chain of {} blocks from {}", chain.size(), s.label());
            changed(ChainChange::adopted, s.peer(), &s);
            return true;
        }
        if (offered.outcome == PulseChain::Offer::not_longer) return true;
        v = std::move(offered.verdict);
    }
    int faults = s.add_fault();
    spdlog::warn("pulse: dropped a line of {} bytes from {}: {}: {} (fault {}/{})", text.size(), s.label(),
                 to_string(v.fault), v.message, faults, config.max_faults);
    return faults < config.max_faults;
}

// Runs until stop(), which cancels the timer. Wakes at each rewrite and at
// least every write_timeout in between, so that a stalled writer is reset
// within twice write_timeout however long the interval is.
asio::awaitable<void> PulseNode::Impl::rewrite_loop() {
    using Clock = asio::steady_timer::clock_type;
    auto next_rewrite = Clock::now() + config.interval;
    while (!stopped) {
        rewrite_timer.expires_at(std::min(next_rewrite, Clock::now() + config.write_timeout));
        co_await rewrite_timer.async_wait(use_nothrow);
        if (stopped) co_return;
        const bool rewrite = Clock::now() >= next_rewrite;
        if (rewrite) next_rewrite = Clock::now() + config.interval;
        for (auto& s : std::vector(sessions)) {
            if (s->write_stalled(config.write_timeout)) {
                spdlog::warn("pulse: {} has not read our chain for {} ms; stream reset", s->label(),
                             config.write_timeout.count());
                s->close();
            } else if (rewrite) {
                s->queue(line);
            }
        }
    }
}

asio::awaitable<void> PulseNode::Impl::dial_loop(net::Multiaddr target) {
    auto timer = std::make_shared<asio::steady_timer>(executor);
    redial_timers.push_back(timer);
    auto backoff = config.redial_min;
    while (!stopped) {
        auto peer = co_await host.dial(target);
        if (!peer) {
            spdlog::warn("pulse: dial {} failed: {}", target.to_string(), peer.error().message);
        } else if (auto stream = co_await host.open_stream(*peer, std::string(PROTOCOL)); !stream) {
            spdlog::warn("pulse: opening {} to {} failed: {}", PROTOCOL, target.to_string(), stream.error().message);
        } else {
            // A peer that made us hang up does not earn a quick redial.
            if (!co_await serve(std::move(*stream), *peer, net::Direction::outbound)) backoff = config.redial_min;
        }
        if (stopped) break;
        spdlog::info("pulse: redialing {} in {} ms", target.to_string(), backoff.count());
        timer->expires_after(backoff);
        co_await timer->async_wait(use_nothrow);
        backoff = std::min(backoff * 2, config.redial_max);
    }
    std::erase(redial_timers, timer);
}

PulseNode::PulseNode(asio::any_io_executor ex, net::Host& host, Block genesis, NodeConfig config)
    : m_impl(std::make_shared<Impl>(std::move(ex), host, std::move(genesis), config)) {}

PulseNode::~PulseNode() {
    stop();
}

void PulseNode::on_chain_changed(ChainCallback cb) {
    m_impl->on_change = std::move(cb);
}

void PulseNode::start() {
    if (m_impl->started || m_impl->stopped) return;
    m_impl->started = true;
    std::weak_ptr<Impl> weak = m_impl;
    // Not a coroutine lambda: its captures would die with the std::function.
    m_impl->host.set_handler(std::string(PROTOCOL),
                             [weak](std::shared_ptr<net::Stream> s, net::PeerId from) -> asio::awaitable<void> {
                                 return Impl::serve_inbound(weak, std::move(s), std::move(from));
                             });
    asio::co_spawn(m_impl->executor, Impl::run_rewrite(m_impl), asio::detached);
}

void PulseNode::connect(net::Multiaddr target) {
    if (m_impl->stopped) return;
    asio::co_spawn(m_impl->executor, Impl::run_dial(m_impl, std::move(target)), asio::detached);
}

Verdict PulseNode::add_bpm(std::int64_t bpm, std::string timestamp) {
    Verdict v = m_impl->chain.append(bpm, std::move(timestamp));
    if (v.ok()) m_impl->changed(ChainChange::added, std::nullopt, nullptr);
    return v;
}

const PulseChain& PulseNode::chain() const noexcept {
    return m_impl->chain;
}

std::size_t PulseNode::stream_count() const noexcept {
    return m_impl->sessions.size();
}

const NodeStats& PulseNode::stats() const noexcept {
    return m_impl->stats;
}

std::size_t PulseNode::buffered_line_bytes() const noexcept {
    return m_impl->line_budget->used();
}

void PulseNode::stop() {
    auto& impl = *m_impl;
    if (impl.stopped) return;
    impl.stopped = true;
    if (impl.started) impl.host.remove_handler(std::string(PROTOCOL));
    impl.rewrite_timer.cancel();
    for (auto& t : impl.redial_timers) t->cancel();
    for (auto& s : std::vector(impl.sessions)) s->close();
}

}  // namespace chainkit::pulse
