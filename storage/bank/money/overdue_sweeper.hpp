// The bank's book-wide overdue sweep, run on a timer: a penalty is charged once, the first time
// a loan is seen past its due date, whether or not its borrower ever dials again.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "storage/bank/sql/store.hpp"
#include "storage/bank/sql/unix_time.hpp"

namespace hodi::storage {

namespace net = boost::asio;

struct OverdueSweepSettings {
    std::chrono::milliseconds interval{std::chrono::minutes{10}};  ///< between sweeps; one at start
    // Borrowers charged per write job: small jobs, so that money hops never wait long behind one.
    std::size_t users_per_job = 200;
};

// Thread-safe: start(), stop() and sweeps() may be called from any thread; the loop runs on a
// strand of `executor`. The Store must outlive the sweeper; a job in flight when it is stopped
// or destroyed finishes inside the Store, and nothing runs after it.
class OverdueSweeper {
public:
    using Clock = std::function<Seconds()>;

    OverdueSweeper(net::any_io_executor executor, Store& store, OverdueSweepSettings settings,
                   Clock clock);
    ~OverdueSweeper();
    OverdueSweeper(const OverdueSweeper&) = delete;
    OverdueSweeper& operator=(const OverdueSweeper&) = delete;

    // Sweeps now, then every interval. Once only.
    void start();
    // No job starts after the one in flight, if any; idempotent.
    void stop();
    // Sweeps of the whole book finished so far (a failed job ends its sweep early, logged).
    std::uint64_t sweeps() const;

    struct State;  // shared with the loop, so that a job may outlive the sweeper

private:
    std::shared_ptr<State> state_;
};

}  // namespace hodi::storage
