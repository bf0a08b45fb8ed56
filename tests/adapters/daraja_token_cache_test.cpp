// Daraja's OAuth token cache: one fetch for many callers, refreshed before it expires, errors
// shared by those who waited and retried by the next caller, a refused token dropped.
#include "adapters/daraja/token_cache.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
namespace daraja = adapters::daraja;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using TokenResult = boost::system::result<std::string>;

// A Daraja that answers each OAuth request after `delay` with the next token, or an error.
struct FakeOAuth {
    net::io_context& io;
    std::chrono::milliseconds delay{0};
    std::chrono::seconds expires_in{3599};
    boost::system::error_code fail_with{};
    int issued = 0;

    net::awaitable<boost::system::result<daraja::OAuthToken>> fetch() {
        if (delay.count() > 0) {
            net::steady_timer timer(io, delay);
            co_await timer.async_wait(net::use_awaitable);
        }
        if (fail_with) co_return fail_with;
        co_return next_token();
    }

    // Outside the coroutine: g++ 12 miscompiles braced initialisers of strings inside one.
    daraja::OAuthToken next_token() {
        ++issued;
        return daraja::OAuthToken{"token-" + std::to_string(issued), expires_in};
    }
};

net::awaitable<void> take_into(daraja::TokenCache& cache, TokenResult& result) {
    result = co_await cache.token();
}

struct Rig {
    net::io_context io;
    FakeOAuth oauth{io};
    Clock::time_point now = Clock::time_point{} + 1h;
    daraja::TokenCache cache{io.get_executor(), [this] { return oauth.fetch(); },
                             daraja::TokenCacheSettings{.clock = [this] { return now; }}};

    // `callers` calls for a token at once, run until all have their answer.
    std::vector<TokenResult> take_at_once(std::size_t callers) {
        std::vector<TokenResult> results(callers, boost::system::error_code{});
        for (TokenResult& result : results) {
            net::co_spawn(io, take_into(cache, result), net::detached);
        }
        io.restart();
        io.run();
        return results;
    }
    TokenResult take() { return take_at_once(1).front(); }
};

}  // namespace

TEST_CASE("many callers at once share one token fetch") {
    Rig rig;
    rig.oauth.delay = 20ms;
    const std::vector<TokenResult> results = rig.take_at_once(10);
    CHECK(rig.cache.fetches() == 1);
    for (const auto& result : results) {
        REQUIRE(result.has_value());
        CHECK(*result == "token-1");
    }
}

TEST_CASE("a token is used until a minute before it expires, then fetched anew") {
    Rig rig;
    CHECK(rig.take().value() == "token-1");
    rig.now += 3599s - 61s;
    CHECK(rig.take().value() == "token-1");
    rig.now += 1s;  // 60 s before expiry
    CHECK(rig.take().value() == "token-2");
    CHECK(rig.cache.fetches() == 2);
    // A short lifetime is refreshed at its half, not after it ends.
    rig.oauth.expires_in = 60s;
    rig.now += 3600s;
    CHECK(rig.take().value() == "token-3");
    rig.now += 29s;
    CHECK(rig.take().value() == "token-3");
    rig.now += 1s;
    CHECK(rig.take().value() == "token-4");
}

TEST_CASE("a failed fetch fails those who waited on it, and the next caller tries again") {
    Rig rig;
    rig.oauth.delay = 10ms;
    rig.oauth.fail_with = make_error_code(boost::system::errc::timed_out);
    const std::vector<TokenResult> results = rig.take_at_once(3);
    CHECK(rig.cache.fetches() == 1);
    for (const auto& result : results) {
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == boost::system::errc::timed_out);
    }
    rig.oauth.fail_with = {};
    CHECK(rig.take().value() == "token-1");
    CHECK(rig.cache.fetches() == 2);
}

net::awaitable<void> refuse_when_fetched(daraja::TokenCache& cache, TokenResult& result) {
    result = co_await cache.token();
    if (result) cache.invalidate(*result);
}

TEST_CASE("a caller woken after the fetched token was refused fetches again") {
    // Goal: no caller gets an empty failure. Method: the first caller refuses the token it got
    // before the others, who waited on the same fetch, wake; they must get a new token.
    Rig rig;
    rig.oauth.delay = 10ms;
    TokenResult first = boost::system::error_code{};
    net::co_spawn(rig.io, refuse_when_fetched(rig.cache, first), net::detached);
    const std::vector<TokenResult> others = rig.take_at_once(3);
    CHECK(first.value() == "token-1");
    for (const TokenResult& result : others) {
        REQUIRE(result.has_value());
        CHECK(*result == "token-2");
    }
    CHECK(rig.cache.fetches() == 2);
}

TEST_CASE("a token Daraja refused is dropped, unless a newer one replaced it") {
    Rig rig;
    CHECK(rig.take().value() == "token-1");
    rig.cache.invalidate("token-0");  // an older token: nothing changes
    CHECK(rig.take().value() == "token-1");
    rig.cache.invalidate("token-1");
    CHECK(rig.take().value() == "token-2");
    CHECK(rig.cache.fetches() == 2);
}

}  // namespace hodi::test
