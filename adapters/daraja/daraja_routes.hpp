// Daraja's callbacks into hodi: POST /daraja/TOKEN/{stk, b2c/result, b2c/timeout,
// c2b/validation, c2b/confirmation, status/result, status/timeout}. Daraja signs nothing, so a
// callback is admitted on the secret path token and the source allowlist (CallbackGuard); its
// body is then kept raw (a write job), acknowledged with 200, and only then applied, matched
// against what hodi asked for (callback_apply.hpp). A crash after the 200 loses nothing: the
// recovery pass applies what is left unapplied.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "adapters/callback_guard.hpp"
#include "adapters/router.hpp"
#include "storage/bank/money/mpesa_callbacks.hpp"
#include "storage/bank/sql/store.hpp"

namespace hodi::adapters::daraja {

namespace net = boost::asio;

struct CallbackCounters {
    std::uint64_t stored = 0;        ///< bodies kept and acknowledged
    std::uint64_t refused = 0;       ///< bodies that are not Daraja's (kept, answered 400)
    std::uint64_t store_errors = 0;  ///< bodies the store could not keep (answered 500)
    std::uint64_t applied = 0;       ///< applications that ran (any fate)
    std::uint64_t apply_errors = 0;  ///< applications the store refused: left for recovery
};

struct CallbackRecoverySettings {
    std::chrono::milliseconds every{30'000};  ///< how often unapplied callbacks are looked for
    // Only callbacks at least this old: younger ones are still being applied by their route.
    std::chrono::seconds settle{5};
    std::size_t batch = 256;
};

// Keeps and applies Daraja's callbacks. Thread-safe; the Store must outlive it and the
// applications it started (the node stops it before closing the Store).
class DarajaCallbacks {
public:
    using Clock = std::function<storage::Seconds()>;

    DarajaCallbacks(net::any_io_executor executor, storage::Store& store, Clock clock,
                    CallbackRecoverySettings recovery = {});
    ~DarajaCallbacks();  ///< stop()
    DarajaCallbacks(const DarajaCallbacks&) = delete;
    DarajaCallbacks& operator=(const DarajaCallbacks&) = delete;

    // Applies what a previous run left unapplied, then looks again every recovery.every.
    void start();
    void stop();

    // Keeps `body` from `source` under `key`: the id, or the store's error. Then applies it in
    // the background, unless `refusal` says why the body is not Daraja's (kept as refused).
    net::awaitable<boost::system::result<std::int64_t>> keep(storage::CallbackSource source,
                                                             std::string key, std::string body,
                                                             std::string refusal = {});
    // One recovery pass now: applies unapplied callbacks received before now - settle.
    net::awaitable<boost::system::result<std::size_t>> recover_once();

    CallbackCounters counters() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

// Registers the seven routes under guard->pattern("/daraja", ...).
void add_daraja_routes(Router& router, std::shared_ptr<DarajaCallbacks> callbacks,
                       CallbackAuthSettings auth);

}  // namespace hodi::adapters::daraja
