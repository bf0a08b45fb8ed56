// The claim and record jobs of an outbox pass, run on the Store's writer thread.
#include "adapters/outbox_record.hpp"

#include <spdlog/spdlog.h>
#include <exception>

#include "storage/bank/sql/bank_error.hpp"

namespace hodi::adapters {

namespace {

using boost::system::result;
using storage::BankError;
using storage::OutboxOutcome;
using storage::OutboxRow;
using storage::OutboxState;

bool settled_elsewhere(const Planned& plan, const boost::system::error_code& error) {
    const bool final = plan.attempt.outcome == OutboxOutcome::succeeded ||
                       plan.attempt.outcome == OutboxOutcome::failed;
    return final && (error == BankError::already_posted || error == BankError::already_voided);
}

// The transfer was settled the other way before this word came (by an operator, a callback, or
// for the sandbox a leg voided elsewhere): the row follows the ledger, and the disagreement is
// left in the log for reconciliation.
result<OutboxRow> take_ledgers_word(storage::Connection& db, const Planned& plan,
                                    const boost::system::error_code& error,
                                    const storage::OutboxRetry& retry, storage::Seconds now) {
    const bool posted = error == BankError::already_posted;
    spdlog::warn("payments: {} said {} for outbox row {}, but its transfer was already {}; the "
                 "row follows the ledger",
                 plan.actor, storage::to_string(plan.attempt.outcome), plan.id,
                 posted ? "posted" : "voided");
    const storage::OutboxAttempt word{posted ? OutboxOutcome::succeeded : OutboxOutcome::failed,
                                      plan.attempt.provider_ref,
                                      posted ? "" : "transfer already settled", {}};
    return storage::record_outbox_attempt(db, plan.id, word, retry, plan.actor, now);
}

void count(const OutboxRow& row, const Planned& plan, const storage::OutboxRetry& retry,
           storage::Seconds now, RecordTally& tally) {
    switch (row.state) {
        case OutboxState::done: ++tally.completed; return;
        case OutboxState::failed: ++tally.failed; return;
        case OutboxState::pending:
        case OutboxState::sent: break;
    }
    switch (plan.attempt.outcome) {
        case OutboxOutcome::accepted: ++tally.sent; return;
        case OutboxOutcome::unknown: ++tally.unknown; return;
        case OutboxOutcome::retry:
        case OutboxOutcome::succeeded:
        case OutboxOutcome::failed: break;
    }
    ++tally.retried;
    const bool spent =
        row.attempts >= retry.attempts_max || now - row.created_at >= retry.age_max;
    if (row.state == OutboxState::sent && spent) {
        ++tally.reconciling;
        spdlog::error("payments: outbox row {} is with the provider but {} cannot reach it ({}); "
                      "left for reconciliation, queried every {}s",
                      row.id, plan.actor, row.last_error, retry.backoff_max.count());
    }
}

void record_one(storage::Connection& db, const Planned& plan, const storage::OutboxRetry& retry,
                storage::Seconds now, RecordTally& tally) {
    result<OutboxRow> row = storage::make_error_code(BankError::store_failed);
    try {
        row = storage::record_outbox_attempt(db, plan.id, plan.attempt, retry, plan.actor, now);
        if (!row && settled_elsewhere(plan, row.error())) {
            row = take_ledgers_word(db, plan, row.error(), retry, now);
        }
    } catch (const std::exception& error) {
        // The savepoint undid this row alone; the others in the job are still kept.
        ++tally.record_errors;
        spdlog::error("outbox: recording row {} ({}) failed: {}; it comes due again when its "
                      "lease ends",
                      plan.id, storage::to_string(plan.attempt.outcome), error.what());
        return;
    }
    if (!row) {
        ++tally.record_errors;
        spdlog::error("outbox: recording row {} ({}) was refused: {}; the row is left as it is",
                      plan.id, storage::to_string(plan.attempt.outcome), row.error().message());
        return;
    }
    count(*row, plan, retry, now, tally);
}

}  // namespace

storage::DbFn<Claimed> claim_job(storage::Seconds now, std::size_t batch,
                                 std::chrono::seconds lease) {
    return [now, batch, lease](storage::Connection& db) -> result<Claimed> {
        auto claim = storage::claim_due_outbox(db, now, batch, lease);
        if (!claim) return claim.error();
        auto open = storage::count_open_outbox(db);
        if (!open) return open.error();
        return Claimed{std::move(*claim), *open};
    };
}

Planned plan_record(const OutboxRow& row, const SendOutcome& outcome,
                    const storage::OutboxRetry& retry, storage::Seconds now, double jitter_unit,
                    std::string actor) {
    const auto backoff =
        storage::outbox_jittered(storage::outbox_backoff(retry, row.attempts + 1), jitter_unit);
    const storage::OutboxAttempt attempt{outcome.outcome, outcome.provider_ref, outcome.error,
                                         outcome.at.value_or(now + backoff)};
    return {row.id, attempt, std::move(actor)};
}

storage::DbFn<RecordTally> record_job(std::vector<Planned> plans, storage::OutboxRetry retry,
                                      storage::Seconds now) {
    return [plans = std::move(plans), retry, now](storage::Connection& db) -> result<RecordTally> {
        RecordTally tally;
        for (const Planned& plan : plans) record_one(db, plan, retry, now, tally);
        auto open = storage::count_open_outbox(db);
        if (!open) return open.error();
        tally.open = *open;
        return tally;
    };
}

}  // namespace hodi::adapters
