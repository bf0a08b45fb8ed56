// The store's two steps of an outbox pass, each one write job: claiming the due rows, and
// recording what came of calling their senders.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/outbox_sender.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/sql/store.hpp"

namespace hodi::adapters {

struct Claimed {
    storage::OutboxClaim claim;
    std::int64_t open = 0;  ///< rows pending or sent, as of the claim
};

// Leases up to `batch` due rows until now + `lease`.
storage::DbFn<Claimed> claim_job(storage::Seconds now, std::size_t batch,
                                 std::chrono::seconds lease);

// One call's outcome, ready to record: its times resolved, its sender named.
struct Planned {
    std::int64_t id = 0;
    storage::OutboxAttempt attempt;
    std::string actor;  ///< the sender's name, for the audit log
};

// Resolves `outcome` on `row` at `now`: a missing `at` becomes now + the backoff for the next
// attempt with equal jitter (`jitter_unit` in [0, 1)); accepted without `at` is looked at again
// after the same backoff.
Planned plan_record(const storage::OutboxRow& row, const SendOutcome& outcome,
                    const storage::OutboxRetry& retry, storage::Seconds now, double jitter_unit,
                    std::string actor);

// What the record step did, by the rows' states after it.
struct RecordTally {
    std::size_t sent = 0;           ///< accepted: handed over, looked at again later
    std::size_t completed = 0;      ///< done
    std::size_t failed = 0;         ///< failed for good
    std::size_t retried = 0;        ///< transient errors, due again after a backoff
    std::size_t unknown = 0;        ///< no clear answer: sent, kept for a status query
    std::size_t reconciling = 0;    ///< sent rows whose retries are spent (among retried)
    std::size_t record_errors = 0;  ///< outcomes the store refused (logged; rows stay leased)
    std::int64_t open = 0;          ///< rows pending or sent after the step
};

// Records every plan, each in its own savepoint, so one row the store refuses (corrupt, a
// SQLite error) is logged and counted while the rest are kept. When the ledger already settled
// a leg's transfer the other way, the row takes the ledger's word (logged), so it stops coming
// due: the sandbox fails a leg whose transfer was voided elsewhere this way.
storage::DbFn<RecordTally> record_job(std::vector<Planned> plans, storage::OutboxRetry retry,
                                      storage::Seconds now);

}  // namespace hodi::adapters
