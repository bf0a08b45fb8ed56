// Helpers for tests that drive Redis clients on an io_context from the test's own thread:
// run one coroutine to completion, or run the context until a condition holds, both bounded.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>

namespace hodi::test {

namespace net = boost::asio;

// Runs `task` on `context` until it completes, failing the test after `limit`.
template <typename T>
T run_to_completion(net::io_context& context, net::awaitable<T> task,
                    std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::optional<T> result;
    std::exception_ptr failure;
    net::co_spawn(context, std::move(task), [&result, &failure](std::exception_ptr error, T value) {
        failure = error;
        result = std::move(value);
    });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!result && std::chrono::steady_clock::now() < deadline) {
        if (context.stopped()) context.restart();
        context.run_one_for(std::chrono::milliseconds(20));
    }
    if (failure) std::rethrow_exception(failure);
    REQUIRE_MESSAGE(result.has_value(), "the coroutine did not finish in time");
    return std::move(*result);
}

// Runs `context` until `done()` holds; false if it still does not after `limit`.
template <typename Predicate>
bool run_until(net::io_context& context, Predicate done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        if (context.stopped()) context.restart();
        context.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace hodi::test
