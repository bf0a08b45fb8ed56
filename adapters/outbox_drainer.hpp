// The outbox drainer: carries out queued effects (M-Pesa legs, SMS) at its own pace. Today it
// runs the sandbox, where every leg completes as successful after a delay and no money moves.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "storage/bank/money/ledger.hpp"
#include "storage/bank/sql/store.hpp"

namespace hodi::adapters {

namespace net = boost::asio;

struct DrainerSettings {
    std::chrono::milliseconds poll{500};            ///< how often to look for due rows
    std::chrono::milliseconds sandbox_delay{2'000};  ///< how long a sandbox leg "takes"
    std::size_t batch = 64;                          ///< rows handled per pass at most
};

// Figures since start, for /metrics and health.
struct DrainerCounters {
    std::uint64_t completed = 0;  ///< rows done (legs posted, SMS delivered)
    std::uint64_t failed = 0;     ///< rows failed (legs voided)
    std::int64_t pending = 0;     ///< rows pending or sent, as of the last pass
    std::uint64_t passes = 0;     ///< passes that reached the store
    std::uint64_t errors = 0;     ///< passes the store refused (logged)
};

// What one pass did.
struct DrainPass {
    std::size_t sent = 0;       ///< rows handed over (sandbox: scheduled to complete)
    std::size_t completed = 0;  ///< rows done
    std::size_t failed = 0;     ///< rows failed
    std::int64_t pending = 0;   ///< rows pending or sent after the pass
};

// Runs on one executor; every store access is a Store::write job, so no network thread ever
// blocks on SQLite. Thread-safe: start(), stop() and counters() may be called from any thread;
// the loop itself runs only on the executor. Destroying the drainer stops it; the Store must
// outlive it (a pass in flight when the drainer goes finishes inside the Store before the
// Store's destructor returns, and then touches nothing).
//
// Usage in `hodi serve`:
//   adapters::OutboxDrainer drainer(io.get_executor(), store,
//       {config.outbox_poll, config.sandbox_delay, 64}, clock);
//   drainer.start();   ... on shutdown: drainer.stop();
class OutboxDrainer {
public:
    using Clock = std::function<storage::Seconds()>;

    OutboxDrainer(net::any_io_executor executor, storage::Store& store, DrainerSettings settings,
                  Clock clock);
    ~OutboxDrainer();
    OutboxDrainer(const OutboxDrainer&) = delete;
    OutboxDrainer& operator=(const OutboxDrainer&) = delete;

    // Logs the sandbox banner and starts polling. Once only.
    void start();
    // Ends the loop after the pass in flight, if any; idempotent.
    void stop();
    DrainerCounters counters() const;

    // One pass at clock() now: what the loop does every `poll`. For tests and for a final
    // drain; never run two at once.
    net::awaitable<boost::system::result<DrainPass>> drain_once();

    struct State;  // shared with the loop, so a pass may outlive the drainer

private:
    std::shared_ptr<State> state_;
};

}  // namespace hodi::adapters
