// The middle step of an outbox pass: every claimed row through its kind's sender, outside any
// SQLite job, a bounded number at once, each bounded by a deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "adapters/outbox_sender.hpp"

namespace hodi::adapters {

struct CallLimits {
    std::size_t in_flight_max = 8;           ///< calls awaited at once; >= 1
    std::chrono::milliseconds deadline{10'000};  ///< a call unanswered by then is unknown
};

// What came of the calls, by kind of trouble; the outcomes say the rest.
struct CallTally {
    std::uint64_t timed_out = 0;  ///< calls that missed the deadline (recorded as unknown)
    std::uint64_t threw = 0;      ///< calls whose sender threw (recorded as unknown)
};

struct CallResults {
    std::vector<SendOutcome> outcomes;  ///< outcomes[i] is what came of rows[i]
    CallTally tally;
};

// Calls senders.for_kind(row.kind) for each row at business time `now`, and returns when every
// call has answered or missed its deadline, whether or not a late sender honours the cancellation
// it is then sent: its answer is ignored, logged, never awaited. Must be awaited on a strand (or
// a single-threaded executor): the calls run there too, and share the pass's bookkeeping.
net::awaitable<CallResults> call_senders(Senders senders, std::vector<storage::OutboxRow> rows,
                                         storage::Seconds now, CallLimits limits);

}  // namespace hodi::adapters
