// How RPC handlers, which run on HTTP worker threads, reach the node's
// state without sharing it: a handler spawns a coroutine on the node's
// network executor (asio::co_spawn with use_future) and waits for it with a
// deadline; the coroutine reaches the chain state and the mempool with
// on_chain, which runs a job on the chain thread and resumes on the network
// executor with its result. The HTTP thread therefore never touches the
// chain, the mempool or the node directly.
#pragma once

#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/mempool.hpp"
#include "chainkit/chain/params.hpp"
#include "chainkit/chain/validation.hpp"
#include "chainkit/rpc/error.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace chainkit::rpc {

// Runs a job on the thread that owns the chain state and mempool, in the
// order given (node::ChainRunner has the same shape).
using ChainRunner = std::function<void(std::function<void()> job)>;
// The chain summary last published for readers on any thread (e.g.
// node::Node::chain_summary(), see summary_from in node_methods.hpp); null
// while none is. Called on HTTP threads: must not wait on the chain thread.
using SummarySource = std::function<std::shared_ptr<const chain::ChainSummary>()>;

namespace detail {

// co_await on_chain(run, f): f() on the chain thread, resumed on the
// caller's executor with its value. An exception thrown by f is carried
// back and rethrown here: it never escapes into the chain thread's loop.
// `run` is taken by value: a coroutine's reference parameter would dangle
// when the caller passed a temporary.
template <class F>
asio::awaitable<std::invoke_result_t<F&>> on_chain(ChainRunner run, F f) {
    using R = std::invoke_result_t<F&>;
    using Outcome = std::variant<std::exception_ptr, R>;
    auto ex = co_await asio::this_coro::executor;
    Outcome outcome = co_await asio::async_initiate<decltype(asio::use_awaitable), void(Outcome)>(
        [&run, ex](auto handler, F fn) {
            // ChainRunner takes a copyable std::function; the handler is move-only.
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            run([h, ex, fn = std::move(fn)]() mutable {
                auto out = std::make_shared<Outcome>();
                try {
                    out->template emplace<1>(fn());
                } catch (...) {
                    out->template emplace<0>(std::current_exception());
                }
                asio::post(ex, [h, out]() mutable { std::move (*h)(std::move(*out)); });
            });
        },
        asio::use_awaitable, std::move(f));
    if (outcome.index() == 0) std::rethrow_exception(std::get<0>(outcome));
    co_return std::get<1>(std::move(outcome));
}

}  // namespace detail

// Spawns `make()`'s coroutine on `ex` and waits for its value at most
// `timeout`; throws RpcError(internal_error) on timeout, rethrows an
// RpcError the coroutine threw, and turns any other exception into
// internal_error (a job dropped by a stopping thread: "the node stopped
// before answering"). A coroutine that times out still runs to its end (its
// captures must not refer to the caller's stack).
template <class Make>
auto call_on(const asio::any_io_executor& ex, std::chrono::milliseconds timeout, Make make) {
    auto future = asio::co_spawn(ex, std::move(make), asio::use_future);
    if (future.wait_for(timeout) != std::future_status::ready)
        throw RpcError(RpcCode::internal_error,
                       "the node did not answer within " + std::to_string(timeout.count()) + " ms");
    try {
        return future.get();
    } catch (const RpcError&) {
        throw;
    } catch (const std::future_error&) {
        // The job was dropped unrun: the chain thread or the executor stopped.
        throw RpcError(RpcCode::internal_error, "the node stopped before answering");
    } catch (const std::exception& e) {
        throw RpcError(RpcCode::internal_error, std::string("internal error: ") + e.what());
    }
}

// What the chain methods (chain_methods.hpp) need. The references must
// outlive every server that uses this access, and every job still queued on
// the chain thread.
struct ChainAccess {
    chain::ConsensusParams params;
    const chain::ChainState& state;  // used only on the chain thread
    const chain::Mempool& mempool;   // used only on the chain thread
    ChainRunner run_on_chain;
    asio::any_io_executor network;  // the node's executor
    std::chrono::milliseconds timeout{30'000};
    // Validates a transaction into the mempool and relays it; runs on
    // `network` (Node::submit_transaction). Without it sendrawtransaction
    // is not registered.
    std::function<asio::awaitable<chain::ValidationResult>(chain::Transaction)> submit_transaction;
    // How many remote peers took a transaction from this node (fetched it
    // or announced it back); runs on `network` (Node::tx_taken_by). Optional:
    // gettransaction reports it for mempool transactions when set.
    std::function<std::size_t(const chain::TxId&)> peers_with_tx;
    // Optional: getblockchaininfo and getblockcount answer from it without
    // the chain thread (which a sync keeps busy); unset or null, they read
    // the chain state as every other method does.
    SummarySource summary;

    // f(state, mempool) on the chain thread, reached through the network
    // executor; blocks the calling (HTTP) thread at most `timeout`.
    template <class F>
    auto read(F f) const {
        using R = std::invoke_result_t<F&, const chain::ChainState&, const chain::Mempool&>;
        const chain::ChainState* s = &state;
        const chain::Mempool* m = &mempool;
        return call_on(network, timeout, [run = run_on_chain, f = std::move(f), s, m]() -> asio::awaitable<R> {
            co_return co_await detail::on_chain(run, [f, s, m]() { return f(*s, *m); });
        });
    }

    // The chain summary: the published one when there is one, else read on
    // the chain thread (then within `timeout`). Every field from one reading.
    [[nodiscard]] chain::ChainSummary chain_summary() const {
        if (summary)
            if (auto published = summary()) return *published;
        return read([](const chain::ChainState& cs, const chain::Mempool&) { return cs.summary(); });
    }
};

}  // namespace chainkit::rpc
