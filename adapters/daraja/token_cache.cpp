// Daraja's OAuth token cache; see token_cache.hpp.
#include "adapters/daraja/token_cache.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hodi::adapters::daraja {

TokenCache::TokenCache(net::any_io_executor executor, Fetch fetch, TokenCacheSettings settings)
    : executor_(std::move(executor)), fetch_(std::move(fetch)), settings_(std::move(settings)) {}

bool TokenCache::fresh() const { return token_ && settings_.clock() < refresh_at_; }

net::awaitable<boost::system::result<std::string>> TokenCache::token() {
    // A caller woken from a wait finds the fetch's token, or its error; or, when the token was
    // refused meanwhile and there is neither, goes round again.
    while (fetching_ || !fresh()) {
        if (!fetching_) co_return co_await fetch_now();
        auto wake = std::make_shared<net::steady_timer>(executor_,
                                                        net::steady_timer::time_point::max());
        waiting_.push_back(wake);
        co_await wake->async_wait(net::as_tuple(net::use_awaitable));
        if (token_) co_return *token_;
        if (last_error_) co_return last_error_;
    }
    co_return *token_;
}

net::awaitable<boost::system::result<std::string>> TokenCache::fetch_now() {
    fetching_ = true;
    ++fetches_;
    const auto asked = settings_.clock();
    auto fetched = co_await fetch_();
    fetching_ = false;
    if (fetched) {
        const auto lifetime = fetched->expires_in;
        const auto margin = std::min(settings_.refresh_margin, lifetime / 2);
        token_ = std::move(fetched->access_token);
        // Counted from when it was asked for: Daraja issued it later, so this errs early.
        refresh_at_ = asked + lifetime - margin;
        last_error_ = {};
    } else {
        token_.reset();
        last_error_ = fetched.error();
    }
    // Woken (cancelled) when the fetch in flight ends, whichever way it ends.
    for (const auto& wake : std::exchange(waiting_, {})) wake->cancel();
    if (token_) co_return *token_;
    co_return last_error_;
}

void TokenCache::invalidate(std::string_view token) {
    if (token_ && *token_ == token) token_.reset();
}

}  // namespace hodi::adapters::daraja
