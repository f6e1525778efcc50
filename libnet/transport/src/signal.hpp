#pragma once
// A wake-up for coroutines on one executor: wait() suspends until the next
// notify(). Waiters re-check their condition in a loop, so a notify with no
// waiter is harmless. Built on a timer that never expires by itself.

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace chainkit::net::detail {

class Signal {
public:
    explicit Signal(const asio::any_io_executor& ex) : m_timer(ex, asio::steady_timer::time_point::max()) {}
    asio::awaitable<void> wait() { co_await m_timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable)); }
    void notify() { m_timer.cancel(); }

private:
    asio::steady_timer m_timer;
};

}  // namespace chainkit::net::detail
