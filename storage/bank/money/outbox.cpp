// The outbox in SQL: queueing effects, claiming due rows, and recording what the provider said.
// A money leg's row and its transfer settle in one transaction, so they never disagree.
#include "storage/bank/money/outbox.hpp"

#include <algorithm>

#include "storage/bank/money/audit.hpp"
#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/settlement.hpp"

namespace hodi::storage {

namespace {

constexpr const char* row_columns =
    "SELECT id, kind, transfer, phone, amount, payload, state, attempts, next_attempt_at, "
    "provider_ref, last_error, created_at, claims FROM outbox ";

// Provider errors are kept for the operator, but a runaway message must not bloat the row.
constexpr std::size_t outbox_error_chars_max = 200;

// Stored text this binary never wrote (a newer hodi, a hand edit) is corruption, never a
// default: reading a garbled 'done' as pending would pay a leg twice.
std::optional<OutboxKind> parse_kind(const std::string& text) {
    if (text == "stk_push") return OutboxKind::stk_push;
    if (text == "b2c") return OutboxKind::b2c;
    if (text == "sms") return OutboxKind::sms;
    return std::nullopt;
}

std::optional<OutboxState> parse_state(const std::string& text) {
    if (text == "pending") return OutboxState::pending;
    if (text == "sent") return OutboxState::sent;
    if (text == "done") return OutboxState::done;
    if (text == "failed") return OutboxState::failed;
    return std::nullopt;
}

boost::system::result<OutboxRow> read_row(Prepared& query) {
    const auto kind = parse_kind(query.getColumn(1).getString());
    const auto state = parse_state(query.getColumn(6).getString());
    if (!kind || !state) return make_error_code(BankError::corrupt);
    OutboxRow row;
    row.id = query.getColumn(0).getInt64();
    row.kind = *kind;
    if (!query.getColumn(2).isNull()) row.transfer = query.getColumn(2).getString();
    row.phone = query.getColumn(3).getString();
    if (!query.getColumn(4).isNull()) row.amount = query.getColumn(4).getInt64();
    row.payload = query.getColumn(5).getString();
    row.state = *state;
    row.attempts = query.getColumn(7).getInt();
    row.next_attempt_at = from_unix_seconds(query.getColumn(8).getInt64());
    if (!query.getColumn(9).isNull()) row.provider_ref = query.getColumn(9).getString();
    row.last_error = query.getColumn(10).getString();
    row.created_at = from_unix_seconds(query.getColumn(11).getInt64());
    row.claims = query.getColumn(12).getInt();
    return row;
}

// The first row `query` finds, if any.
boost::system::result<std::optional<OutboxRow>> first_row(Prepared& query) {
    if (!query.executeStep()) return std::optional<OutboxRow>{};
    auto row = read_row(query);
    if (!row) return row.error();
    return std::optional<OutboxRow>{std::move(*row)};
}

boost::system::result<OutboxRow> load_row(Connection& db, std::int64_t id) {
    auto found = find_outbox(db, id);
    if (!found) return found.error();
    // No row by that id: BankError has no outbox code, and the row is a leg of a transfer.
    if (!*found) return make_error_code(BankError::unknown_transfer);
    return std::move(**found);
}

bool is_money_leg(const OutboxRow& row) {
    return row.kind != OutboxKind::sms && row.transfer.has_value();
}

std::string clipped(std::string_view error) {
    return std::string(error.substr(0, outbox_error_chars_max));
}

// Records a money leg's outcome in the audit log: "mpesa.stk_push.done" for the transfer.
boost::system::result<void> audit_leg(Connection& db, const OutboxRow& row, bool succeeded,
                                      std::string_view error, std::string_view actor, Seconds now) {
    std::string detail = "phone=" + row.phone;
    if (row.amount) detail += " amount=" + std::to_string(*row.amount);
    if (row.provider_ref) detail += " ref=" + *row.provider_ref;
    if (!succeeded && !error.empty()) detail += " error=" + clipped(error);
    return append_audit(db,
                        {std::string(actor),
                         "mpesa." + std::string(to_string(row.kind)) +
                             (succeeded ? ".done" : ".failed"),
                         *row.transfer, std::move(detail)},
                        now);
}

boost::system::result<OutboxRow> complete_row(Connection& db, std::int64_t id, bool succeeded,
                                              std::string_view error, std::string_view actor,
                                              Seconds now) {
    auto row = load_row(db, id);
    if (!row) return row.error();
    if (row->state == OutboxState::done) {
        if (succeeded) return row;
        return make_error_code(BankError::already_posted);
    }
    if (row->state == OutboxState::failed) {
        if (!succeeded) return row;
        return make_error_code(BankError::already_voided);
    }
    if (is_money_leg(*row)) {
        auto settled = settle_transfer(db, *row->transfer, succeeded, now);
        if (!settled) return settled.error();
        if (auto audited = audit_leg(db, *row, succeeded, error, actor, now); !audited) {
            return audited.error();
        }
    }
    row->state = succeeded ? OutboxState::done : OutboxState::failed;
    row->last_error = succeeded ? std::string() : clipped(error);
    Prepared update(db,
                    "UPDATE outbox SET state = ?, last_error = ?, updated_at = ? "
                    "WHERE id = ?");
    update.bind(1, std::string(to_string(row->state)));
    update.bind(2, row->last_error);
    update.bind(3, unix_seconds(now));
    update.bind(4, id);
    update.exec();
    return row;
}

// Counts one call on `row` and keeps what came of it: the provider's reference, the error, the
// state it leaves the row in and when the row comes due again.
void note_attempt(Connection& db, OutboxRow& row, const OutboxAttempt& attempt,
                  OutboxState state, Seconds due, Seconds now) {
    row.attempts += 1;
    if (!attempt.provider_ref.empty()) row.provider_ref = attempt.provider_ref;
    row.last_error = clipped(attempt.error);
    row.state = state;
    row.next_attempt_at = due;
    Prepared update(db,
                    "UPDATE outbox SET state = ?, attempts = ?, provider_ref = ?, last_error = ?, "
                    "next_attempt_at = ?, updated_at = ? WHERE id = ?");
    update.bind(1, std::string(to_string(row.state)));
    update.bind(2, row.attempts);
    if (row.provider_ref) update.bind(3, *row.provider_ref);
    update.bind(4, row.last_error);
    update.bind(5, unix_seconds(row.next_attempt_at));
    update.bind(6, unix_seconds(now));
    update.bind(7, row.id);
    update.exec();
}

boost::system::result<OutboxRow> record_retry(Connection& db, OutboxRow row,
                                              const OutboxAttempt& attempt,
                                              const OutboxRetry& retry, std::string_view actor,
                                              Seconds now) {
    const bool spent =
        row.attempts + 1 >= retry.attempts_max || now - row.created_at >= retry.age_max;
    if (!spent) {
        note_attempt(db, row, attempt, row.state, attempt.next_attempt_at, now);
        return row;
    }
    if (row.state == OutboxState::sent) {
        note_attempt(db, row, attempt, row.state, now + retry.backoff_max, now);
        return row;
    }
    note_attempt(db, row, attempt, row.state, attempt.next_attempt_at, now);
    return complete_row(db, row.id, false, attempt.error, actor, now);
}

boost::system::result<OutboxRow> record_row(Connection& db, std::int64_t id,
                                            const OutboxAttempt& attempt, const OutboxRetry& retry,
                                            std::string_view actor, Seconds now) {
    auto row = load_row(db, id);
    if (!row) return row.error();
    const bool final = row->state == OutboxState::done || row->state == OutboxState::failed;
    switch (attempt.outcome) {
        case OutboxOutcome::accepted:
        case OutboxOutcome::unknown:
            if (!final) {
                note_attempt(db, *row, attempt, OutboxState::sent, attempt.next_attempt_at, now);
            }
            return row;
        case OutboxOutcome::retry:
            if (final) return row;
            return record_retry(db, std::move(*row), attempt, retry, actor, now);
        case OutboxOutcome::succeeded:
        case OutboxOutcome::failed: break;
    }
    const bool succeeded = attempt.outcome == OutboxOutcome::succeeded;
    if (!final) note_attempt(db, *row, attempt, row->state, row->next_attempt_at, now);
    return complete_row(db, id, succeeded, attempt.error, actor, now);
}

boost::system::result<OutboxRow> retry_row(Connection& db, std::int64_t id, std::string_view error,
                                           const OutboxRetry& retry, Seconds now) {
    auto row = load_row(db, id);
    if (!row) return row.error();
    const Seconds due = now + outbox_backoff(retry, row->attempts + 1);
    return record_row(db, id, {OutboxOutcome::retry, "", std::string(error), due}, retry,
                      "system", now);
}

}  // namespace

std::string_view to_string(OutboxKind kind) {
    switch (kind) {
        case OutboxKind::stk_push: return "stk_push";
        case OutboxKind::b2c: return "b2c";
        case OutboxKind::sms: return "sms";
    }
    return "sms";
}

std::string_view to_string(OutboxState state) {
    switch (state) {
        case OutboxState::pending: return "pending";
        case OutboxState::sent: return "sent";
        case OutboxState::done: return "done";
        case OutboxState::failed: return "failed";
    }
    return "pending";
}

boost::system::result<std::int64_t> enqueue_outbox(Connection& db, const OutboxRequest& request,
                                                   Seconds now) {
    if (request.transfer) {
        auto existing = find_outbox_for_transfer(db, request.kind, *request.transfer);
        if (!existing) return existing.error();
        if (*existing) return (*existing)->id;
    }
    if (request.amount && (*request.amount <= 0 || *request.amount > transfer_cents_max)) {
        return make_error_code(BankError::invalid_amount);
    }
    Prepared insert(db,
                    "INSERT INTO outbox (kind, transfer, phone, amount, payload, state, "
                    "next_attempt_at, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)");
    insert.bind(1, std::string(to_string(request.kind)));
    if (request.transfer) insert.bind(2, *request.transfer);
    insert.bind(3, request.phone);
    if (request.amount) insert.bind(4, *request.amount);
    insert.bind(5, request.payload);
    insert.bind(6, unix_seconds(now));
    insert.bind(7, unix_seconds(now));
    insert.bind(8, unix_seconds(now));
    insert.exec();
    return db.getLastInsertRowid();
}

std::chrono::seconds outbox_backoff(const OutboxRetry& retry, int attempts) {
    std::chrono::seconds wait = retry.backoff_first;
    for (int doubling = 1; doubling < attempts && wait < retry.backoff_max; ++doubling) {
        wait *= 2;
    }
    return std::min(wait, retry.backoff_max);
}

std::chrono::seconds outbox_jittered(std::chrono::seconds wait, double unit) {
    const double clamped = std::clamp(unit, 0.0, 1.0);
    const auto half = wait / 2;
    return half + std::chrono::seconds(static_cast<std::int64_t>(
                      clamped * static_cast<double>((wait - half).count())));
}

boost::system::result<OutboxClaim> claim_due_outbox(Connection& db, Seconds now,
                                                    std::size_t count, std::chrono::seconds lease) {
    Prepared query(db, std::string(row_columns) +
                           "WHERE state IN ('pending', 'sent') AND next_attempt_at <= ? "
                           "ORDER BY next_attempt_at, id LIMIT ?");
    query.bind(1, unix_seconds(now));
    query.bind(2, static_cast<std::int64_t>(count));
    OutboxClaim claim;
    while (query.executeStep()) {
        if (auto row = read_row(query)) {
            claim.rows.push_back(std::move(*row));
        } else {
            claim.corrupt.push_back(query.getColumn(0).getInt64());
        }
    }
    Prepared lease_row(db,
                       "UPDATE outbox SET next_attempt_at = ?, updated_at = ?, "
                       "claims = claims + 1 WHERE id = ?");
    for (OutboxRow& row : claim.rows) {
        row.next_attempt_at = now + lease;
        row.claims += 1;
        lease_row.bind(1, unix_seconds(row.next_attempt_at));
        lease_row.bind(2, unix_seconds(now));
        lease_row.bind(3, row.id);
        lease_row.exec();
        lease_row.reset();
    }
    return claim;
}

boost::system::result<OutboxRow> mark_outbox_sent(Connection& db, std::int64_t id,
                                                  std::string_view provider_ref, Seconds check_at,
                                                  Seconds now) {
    auto row = load_row(db, id);
    if (!row) return row.error();
    // A callback may have completed the row before the sender got here: keep the final word.
    if (row->state == OutboxState::done || row->state == OutboxState::failed) return row;
    Prepared update(db,
                    "UPDATE outbox SET state = 'sent', provider_ref = ?, "
                    "next_attempt_at = ?, updated_at = ? WHERE id = ?");
    update.bind(1, std::string(provider_ref));
    update.bind(2, unix_seconds(check_at));
    update.bind(3, unix_seconds(now));
    update.bind(4, id);
    update.exec();
    row->state = OutboxState::sent;
    row->provider_ref = std::string(provider_ref);
    row->next_attempt_at = check_at;
    return row;
}

boost::system::result<OutboxRow> complete_outbox(Connection& db, std::int64_t id, bool succeeded,
                                                 std::string_view error, std::string_view actor,
                                                 Seconds now) {
    // In a savepoint, so a drainer may record a failed row and carry on with the next one in
    // the same transaction.
    return in_savepoint(db, "outbox_step",
                        [&] { return complete_row(db, id, succeeded, error, actor, now); });
}

boost::system::result<OutboxRow> retry_outbox(Connection& db, std::int64_t id,
                                              std::string_view error, const OutboxRetry& retry,
                                              Seconds now) {
    return in_savepoint(db, "outbox_step", [&] { return retry_row(db, id, error, retry, now); });
}

std::string_view to_string(OutboxOutcome outcome) {
    switch (outcome) {
        case OutboxOutcome::accepted: return "accepted";
        case OutboxOutcome::succeeded: return "succeeded";
        case OutboxOutcome::failed: return "failed";
        case OutboxOutcome::retry: return "retry";
        case OutboxOutcome::unknown: return "unknown";
    }
    return "unknown";
}

boost::system::result<OutboxRow> record_outbox_attempt(Connection& db, std::int64_t id,
                                                       const OutboxAttempt& attempt,
                                                       const OutboxRetry& retry,
                                                       std::string_view actor, Seconds now) {
    return in_savepoint(db, "outbox_step",
                        [&] { return record_row(db, id, attempt, retry, actor, now); });
}

boost::system::result<std::optional<OutboxRow>> find_outbox(Connection& db, std::int64_t id) {
    Prepared query(db, std::string(row_columns) + "WHERE id = ?");
    query.bind(1, id);
    return first_row(query);
}

boost::system::result<std::optional<OutboxRow>> find_outbox_for_transfer(
    Connection& db, OutboxKind kind, std::string_view transfer) {
    Prepared query(db, std::string(row_columns) + "WHERE kind = ? AND transfer = ?");
    query.bind(1, std::string(to_string(kind)));
    query.bind(2, std::string(transfer));
    return first_row(query);
}

boost::system::result<OutboxCounts> count_outbox(Connection& db) {
    Prepared query(db, "SELECT state, count(*) FROM outbox GROUP BY state");
    OutboxCounts counts;
    while (query.executeStep()) {
        const std::int64_t n = query.getColumn(1).getInt64();
        const auto state = parse_state(query.getColumn(0).getString());
        if (!state) return make_error_code(BankError::corrupt);
        switch (*state) {
            case OutboxState::pending: counts.pending = n; break;
            case OutboxState::sent: counts.sent = n; break;
            case OutboxState::done: counts.done = n; break;
            case OutboxState::failed: counts.failed = n; break;
        }
    }
    return counts;
}

boost::system::result<std::int64_t> count_open_outbox(Connection& db) {
    return db.execAndGet("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sent')")
        .getInt64();
}

boost::system::result<std::vector<OpenOutbox>> list_open_outbox(Connection& db) {
    Prepared query(db,
                   "SELECT kind, state, count(*), min(created_at) FROM outbox "
                   "WHERE state IN ('pending', 'sent') GROUP BY kind, state ORDER BY kind, state");
    std::vector<OpenOutbox> open;
    while (query.executeStep()) {
        const auto kind = parse_kind(query.getColumn(0).getString());
        const auto state = parse_state(query.getColumn(1).getString());
        if (!kind || !state) return make_error_code(BankError::corrupt);
        open.push_back({*kind, *state, query.getColumn(2).getInt64(),
                        from_unix_seconds(query.getColumn(3).getInt64())});
    }
    return open;
}

}  // namespace hodi::storage
