// What the node does when the chain state or the mempool reports
// storage_failure (a failed read or write of its own database): the fault
// is this node's, so no peer is blamed and no block status changes (the
// chain state guarantees that). One error line is logged and the chain's
// activation is retried after a delay that doubles, since a full disk or a
// flaky device may recover; a fault still there after
// NodeConfig::storage_retries retries stops the node with that line
// (docs/architecture.md, "Storage faults").
#include "chain_call.hpp"
#include "node_impl.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace chainkit::node {

using detail::on_chain;

void Node::Impl::storage_failed(const std::string& why) {
    // Faults while a retry is pending are the same fault: the retry answers them.
    if (stopped || storage_retry_pending) return;
    ++storage_failures;
    if (storage_failures > config.storage_retries) {
        stop_fatally(fmt::format("storage failure, still failing after {} retries: {}", config.storage_retries, why));
        return;
    }
    const auto delay = config.storage_retry_delay * (1 << std::min<std::size_t>(storage_failures - 1, 16));
    const auto line = fmt::format("error: storage failure ({}), retry {} of {} in {} ms", why, storage_failures,
                                  config.storage_retries, delay.count());
    if (deps.log)
        deps.log(line);
    else
        spdlog::error("{}", line);
    storage_retry_pending = true;
    asio::co_spawn(ex, retry_storage(delay), asio::detached);
}

asio::awaitable<void> Node::Impl::retry_storage(std::chrono::milliseconds delay) {
    auto self = shared_from_this();
    asio::steady_timer timer(ex, delay);
    co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (stopped) co_return;
    struct Outcome {
        Result<bool> changed = false;
        chain::ChainTip tip;
        chain::BlockHeader tip_header;
    };
    auto job = [c = &deps.chain] {
        Outcome o{c->retry_activation(), c->tip(), {}};
        if (auto h = c->header(o.tip.hash)) o.tip_header = *h;
        return o;
    };
    auto o = co_await on_chain(deps.run_on_chain, std::move(job));
    storage_retry_pending = false;
    if (stopped) co_return;
    if (!o.changed) {
        storage_failed(o.changed.error().message);
        co_return;
    }
    log(fmt::format("storage: retry {} succeeded", storage_failures));
    if (*o.changed) {
        storage_worked();
        tip_changed(o.tip, o.tip_header);
    }
    // A block whose body could not be stored is missing again: ask for it.
    co_await refresh_needed();
}

void Node::Impl::stop_fatally(const std::string& why) {
    if (fatal) return;
    fatal = why;
    if (deps.log)
        deps.log("error: " + why + "; stopping the node");
    else
        spdlog::error("{}; stopping the node", why);
    stop();
    if (fatal_listener) fatal_listener(why);
}

void Node::on_fatal_error(std::function<void(const std::string&)> callback) {
    m_impl->fatal_listener = std::move(callback);
}

std::optional<std::string> Node::fatal_error() const {
    return m_impl->fatal;
}

}  // namespace chainkit::node
