// The outbox drainer: carries out queued effects (M-Pesa legs, SMS) at its own pace, through one
// sender per kind of row: the sandbox today (adapters/sandbox_sender.hpp), Daraja and AT later.
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

#include "adapters/outbox_sender.hpp"
#include "storage/bank/money/ledger.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/sql/store.hpp"

namespace hodi::adapters {

namespace net = boost::asio;

struct DrainerSettings {
    std::chrono::milliseconds poll{500};  ///< how often to look for due rows
    std::size_t batch = 64;               ///< rows claimed per pass at most
    std::size_t in_flight_max = 16;       ///< sender calls awaited at once
    /// A call unanswered by then is recorded as unknown (kept for a status query) and cancelled.
    std::chrono::milliseconds send_deadline{10'000};
    /// How long a claimed row stays out of other passes' reach: longer than a pass can take
    /// (longest_pass), so only a drainer that died mid-pass ever has its rows claimed again. It
    /// is also how long the rows of a drainer killed mid-pass wait before they are sent again.
    std::chrono::milliseconds claim_lease{60'000};
    storage::OutboxRetry retry{};  ///< backoff and bounds for transient errors
    std::uint32_t jitter_seed = 0;  ///< seeds the backoff jitter; 0 takes one from the system
};

// The longest a pass can take: its calls go `in_flight_max` at a time, each within
// `send_deadline`; recording is one write job, well inside a second.
inline std::chrono::milliseconds longest_pass(const DrainerSettings& settings) {
    const std::size_t in_flight = settings.in_flight_max == 0 ? 1 : settings.in_flight_max;
    const auto rounds = static_cast<std::int64_t>((settings.batch + in_flight - 1) / in_flight);
    return rounds * settings.send_deadline + std::chrono::seconds{1};
}

// Figures since start, for /metrics and health.
struct DrainerCounters {
    std::uint64_t completed = 0;  ///< rows done (legs posted, SMS delivered)
    std::uint64_t failed = 0;     ///< rows failed (legs voided)
    std::int64_t pending = 0;     ///< rows pending or sent, as of the last pass
    std::uint64_t passes = 0;     ///< passes that reached the store
    std::uint64_t errors = 0;     ///< passes whose claim the store refused (logged)
    std::uint64_t sent = 0;       ///< accepted calls: rows handed over, looked at again later
    std::uint64_t retried = 0;    ///< transient errors, due again after a backoff
    std::uint64_t unknown = 0;    ///< calls without a clear answer: kept for a status query
    std::uint64_t timed_out = 0;  ///< calls that missed send_deadline (among unknown)
    std::uint64_t threw = 0;      ///< calls whose sender threw (among unknown)
    std::uint64_t record_errors = 0;  ///< outcomes the store refused to record (logged)
    std::uint64_t corrupt = 0;    ///< due rows skipped because they cannot be read (logged)
};

// What one pass did.
struct DrainPass {
    std::size_t claimed = 0;    ///< rows leased and handed to their senders
    std::size_t sent = 0;       ///< rows handed over (sandbox: scheduled to complete)
    std::size_t completed = 0;  ///< rows done
    std::size_t failed = 0;     ///< rows failed
    std::size_t retried = 0;    ///< rows due again after a backoff
    std::size_t unknown = 0;    ///< rows kept for a status query
    std::size_t record_errors = 0;  ///< rows whose outcome the store refused; due after the lease
    std::size_t corrupt = 0;    ///< due rows that cannot be read, left untouched
    std::int64_t pending = 0;   ///< rows pending or sent after the pass
};

// Drains the outbox in passes of three steps, so no provider call ever runs inside a SQLite job:
// (1) one write job claims up to `batch` due rows, leasing them for `claim_lease`; (2) each row
// goes to the sender for its kind, up to `in_flight_max` at once, each within `send_deadline`;
// (3) one write job records every outcome (storage::record_outbox_attempt), each row in its own
// savepoint. A refused claim or record is counted and logged, never dropped: the rows stay
// leased and come due again when the lease ends.
//
// Runs on a strand of one executor. Thread-safe: start(), stop() and counters() may be called
// from any thread; passes run only on the strand. Destroying the drainer stops it; the Store
// must outlive it (a pass in flight when the drainer goes finishes inside the Store before the
// Store's destructor returns, and then touches nothing).
//
// Usage in `hodi serve`:
//   auto sandbox = std::make_shared<adapters::SandboxSender>(SandboxSettings{delay});
//   adapters::OutboxDrainer drainer(io.get_executor(), store, {.poll = config.outbox_poll},
//                                   adapters::Senders::all(sandbox), clock);
//   drainer.start();   ... on shutdown: drainer.stop();
class OutboxDrainer {
public:
    using Clock = std::function<storage::Seconds()>;

    // Every sender in `senders` must be set (a wiring bug otherwise), and claim_lease must be
    // longer than send_deadline.
    OutboxDrainer(net::any_io_executor executor, storage::Store& store, DrainerSettings settings,
                  Senders senders, Clock clock);
    ~OutboxDrainer();
    OutboxDrainer(const OutboxDrainer&) = delete;
    OutboxDrainer& operator=(const OutboxDrainer&) = delete;

    // Logs which sender serves each kind, and their warnings (the sandbox's banner), and starts
    // polling. Once only.
    void start();
    // Ends the loop after the pass in flight, if any; idempotent.
    void stop();
    DrainerCounters counters() const;

    // One pass at clock() now, on the drainer's strand: what the loop does every `poll`. For
    // tests and for a final drain; never run two at once. Fails only when the claim does.
    net::awaitable<boost::system::result<DrainPass>> drain_once();

    struct State;  // shared with the loop, so a pass may outlive the drainer

private:
    std::shared_ptr<State> state_;
};

}  // namespace hodi::adapters
