#pragma once
// Runs an awaitable against a timer (awaitable_operators ||): the loser is
// cancelled. nullopt means the deadline won.

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <optional>
#include <utility>
#include <variant>

namespace chainkit::net::detail {

template <class T>
asio::awaitable<std::optional<T>> with_deadline(asio::awaitable<T> op, std::chrono::milliseconds limit) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, limit);
    auto r = co_await (std::move(op) || timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable)));
    if (r.index() == 0) co_return std::move(std::get<0>(r));
    co_return std::nullopt;
}

}  // namespace chainkit::net::detail
