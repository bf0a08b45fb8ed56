// Daraja's OAuth token, fetched once and shared by every call until shortly before it expires
// (PROTOCOLS.md §3.2): tokens live an hour, and asking for one per call would spend Daraja's
// rate limit on logins. One refresh is in flight at a time; calls that need a token meanwhile
// wait for that refresh instead of starting their own. The fetch itself (the HTTPS GET) is
// passed in, so the cache knows no socket. The token is kept in memory only, never logged.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/daraja/requests.hpp"

namespace hodi::adapters::daraja {

namespace net = boost::asio;

struct TokenCacheSettings {
    // A token is refreshed this long before Daraja says it expires, so that a call made just
    // before expiry does not arrive with a dead token; at most half of a short lifetime.
    std::chrono::seconds refresh_margin{60};
    std::function<std::chrono::steady_clock::time_point()> clock = [] {
        return std::chrono::steady_clock::now();
    };
};

// Not thread-safe: use it from one executor (a strand, or a one-thread server's own).
class TokenCache {
public:
    // Must end by itself (its own deadline): every call that waits on it waits for that.
    using Fetch = std::function<net::awaitable<boost::system::result<OAuthToken>>()>;

    TokenCache(net::any_io_executor executor, Fetch fetch, TokenCacheSettings settings = {});

    // The current token, fetching one when there is none or it is due for refresh. Fails with
    // the fetch's error, for every call that waited on that fetch; the next call tries again.
    net::awaitable<boost::system::result<std::string>> token();

    // Daraja refused `token` (401.002.01 Invalid Access Token): the next call fetches a new
    // one. A token already replaced by a newer fetch is left alone.
    void invalidate(std::string_view token);

    std::size_t fetches() const { return fetches_; }

private:
    bool fresh() const;
    net::awaitable<boost::system::result<std::string>> fetch_now();

    net::any_io_executor executor_;
    Fetch fetch_;
    TokenCacheSettings settings_;
    std::optional<std::string> token_;
    std::chrono::steady_clock::time_point refresh_at_{};
    bool fetching_ = false;
    boost::system::error_code last_error_;  ///< of the last fetch, for those who waited on it
    std::vector<std::shared_ptr<net::steady_timer>> waiting_;
    std::size_t fetches_ = 0;
};

}  // namespace hodi::adapters::daraja
