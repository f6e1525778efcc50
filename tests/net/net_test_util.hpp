#pragma once
// Never write co_await inside a Catch macro: GCC evaluates the macro argument
// more than once (in __builtin_constant_p), so the operation would run again.
//
// Runs one test coroutine on an io_context with a hard deadline, so a hung
// transport fails the test instead of hanging the suite.

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <functional>

namespace chainkit::net::test {

inline void run_test(asio::io_context& io, std::function<asio::awaitable<void>()> body,
                     std::chrono::seconds limit = std::chrono::seconds(20)) {
    bool done = false;
    std::exception_ptr error;
    io.restart();  // a previous run may have left it stopped (out of work)
    asio::co_spawn(io, body(), [&](std::exception_ptr e) {
        error = e;
        done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(50));
    REQUIRE(done);
    if (error) std::rethrow_exception(error);
}

/// Sleeps inside a coroutine.
asio::awaitable<void> sleep_for(std::chrono::milliseconds d);

/// Waits until `done()` holds (checked every few ms) or `limit` passes;
/// returns the last value of `done()`.
asio::awaitable<bool> wait_until(std::function<bool()> done, std::chrono::milliseconds limit);

}  // namespace chainkit::net::test
