#include "net_test_util.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace chainkit::net::test {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

asio::awaitable<bool> wait_until(std::function<bool()> done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) co_return false;
        co_await sleep_for(std::chrono::milliseconds(5));
    }
    co_return true;
}

}  // namespace chainkit::net::test
