// co_await on_chain(runner, f): runs f() on the chain thread and resumes
// the calling coroutine on its own executor with f's result. The network
// thread never waits on validation or the database.
#pragma once

#include "chainkit/node/node.hpp"

#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace chainkit::node::detail {

template <class F>
asio::awaitable<std::invoke_result_t<F&>> on_chain(const ChainRunner& run, F f) {
    using R = std::invoke_result_t<F&>;
    auto ex = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
        [&run, ex](auto handler, F fn) {
            // ChainRunner takes a copyable std::function; the handler is move-only.
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            run([h, ex, fn = std::move(fn)]() mutable {
                auto result = std::make_shared<R>(fn());
                asio::post(ex, [h, result]() mutable { std::move (*h)(std::move(*result)); });
            });
        },
        asio::use_awaitable, std::move(f));
}

}  // namespace chainkit::node::detail
