// The outbox: external effects (M-Pesa STK push and B2C payout, SMS) recorded in the same
// transaction as the change that causes them, then carried out by a drainer. A crash between
// the two loses nothing: the row is still there, and the drainer picks it up after restart.
// Like ledger.hpp, these run inside a transaction the caller owns; SQLite failures throw.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/ledger.hpp"

namespace hodi::storage {

enum class OutboxKind : std::uint8_t { stk_push, b2c, sms };
std::string_view to_string(OutboxKind kind);

enum class OutboxState : std::uint8_t { pending, sent, done, failed };
std::string_view to_string(OutboxState state);

// What a change asks the world to do. For money legs `transfer` is the pending transfer the
// effect settles: STK push collects money into it, B2C pays it out.
struct OutboxRequest {
    OutboxKind kind = OutboxKind::sms;
    std::optional<std::string> transfer;
    std::string phone;  ///< E.164
    std::optional<Cents> amount;
    std::string payload;  ///< SMS text, or an account reference / remarks for M-Pesa
};

struct OutboxRow {
    std::int64_t id = 0;
    OutboxKind kind = OutboxKind::sms;
    std::optional<std::string> transfer;
    std::string phone;
    std::optional<Cents> amount;
    std::string payload;
    OutboxState state = OutboxState::pending;
    int attempts = 0;
    Seconds next_attempt_at{};
    std::optional<std::string> provider_ref;
    std::string last_error;
    Seconds created_at{};
    // How many passes have claimed the row. Each recorded call counts in attempts, so a claim
    // beyond attempts + 1 means a pass that claimed the row died, or failed to record, after
    // its call may have reached the provider: the call's outcome is not known.
    int claims = 0;

    bool outcome_lost() const { return claims > attempts + 1; }
};

// Queues an effect, due now. A second request for the same (kind, transfer) returns the first
// row's id and queues nothing: a replayed money step asks the world once.
boost::system::result<std::int64_t> enqueue_outbox(Connection& db, const OutboxRequest& request,
                                                   Seconds now);

// How a failed attempt is retried: the wait doubles from `backoff_first` up to `backoff_max`,
// and after `attempts_max` attempts, or once the row is `age_max` old, the retrying stops (see
// record_outbox_attempt for what that means for a row the provider may have seen).
struct OutboxRetry {
    std::chrono::seconds backoff_first{5};
    std::chrono::seconds backoff_max{std::chrono::minutes{10}};
    int attempts_max = 6;
    std::chrono::seconds age_max{std::chrono::hours{24}};
};

// The wait before retrying after `attempts` failed attempts (attempts >= 1).
std::chrono::seconds outbox_backoff(const OutboxRetry& retry, int attempts);

// `wait` with equal jitter: wait/2 + unit * wait/2, for `unit` in [0, 1). Drainers that fail
// together (a provider outage) then retry spread out, never sooner than half the backoff.
std::chrono::seconds outbox_jittered(std::chrono::seconds wait, double unit);

// What a claim took, and what it could not read.
struct OutboxClaim {
    std::vector<OutboxRow> rows;        ///< leased: next_attempt_at is now + lease
    std::vector<std::int64_t> corrupt;  ///< due rows with a kind this binary never wrote; untouched
};

// Takes up to `count` rows that are due (pending or sent, next_attempt_at <= now), oldest due
// first, and pushes their next_attempt_at to now + `lease`: a drainer that dies while holding
// them loses nothing, the rows come due again when the lease ends. A row that cannot be read
// (BankError::corrupt) is reported in `corrupt`, left as it is, and blocks no other row.
boost::system::result<OutboxClaim> claim_due_outbox(Connection& db, Seconds now,
                                                    std::size_t count, std::chrono::seconds lease);

// Handed over to the provider, which answered with `provider_ref` (CheckoutRequestID,
// ConversationID, AT message id); the row is looked at again at `check_at` (a status query
// then, or in the sandbox the moment the leg completes).
boost::system::result<OutboxRow> mark_outbox_sent(Connection& db, std::int64_t id,
                                                  std::string_view provider_ref, Seconds check_at,
                                                  Seconds now);

// The provider's final word. A money leg settles its transfer (settle_transfer: posted on
// success, voided on failure) and appends an audit event by `actor`, all in this transaction.
// Completing a row again the same way returns it unchanged; the other way is already_posted
// (it was done) or already_voided (it failed).
boost::system::result<OutboxRow> complete_outbox(Connection& db, std::int64_t id, bool succeeded,
                                                 std::string_view error, std::string_view actor,
                                                 Seconds now);

// One attempt failed in a way worth retrying: counts it and reschedules with backoff, or, at
// retry.attempts_max, completes the row as failed (voiding a money leg's transfer, audited).
boost::system::result<OutboxRow> retry_outbox(Connection& db, std::int64_t id,
                                              std::string_view error, const OutboxRetry& retry,
                                              Seconds now);

boost::system::result<std::optional<OutboxRow>> find_outbox(Connection& db, std::int64_t id);
boost::system::result<std::optional<OutboxRow>> find_outbox_for_transfer(Connection& db,
                                                                         OutboxKind kind,
                                                                         std::string_view transfer);

// What one call to a provider (a request or a status query) came to.
enum class OutboxOutcome : std::uint8_t {
    accepted,   ///< the provider took it and will answer later: sent, look again at a time
    succeeded,  ///< done for good: a money leg's transfer is posted
    failed,     ///< refused for good, with a reason: a money leg's transfer is voided
    retry,      ///< a transient error; the provider did not act on this call. Try again later
    unknown,    ///< no answer after the call may have reached the provider: query, never resend
};
std::string_view to_string(OutboxOutcome outcome);

struct OutboxAttempt {
    OutboxOutcome outcome = OutboxOutcome::unknown;
    std::string provider_ref;   ///< the provider's id for the request; empty keeps the row's
    std::string error;          ///< failed, retry, unknown: why, for the operator
    Seconds next_attempt_at{};  ///< accepted, retry, unknown: when the row comes due again
};

// Records one call on a row, atomically: attempts + 1, provider_ref (when given), last_error,
// then by outcome:
//   accepted   state sent, due at next_attempt_at (a status query then).
//   succeeded  complete_outbox(succeeded = true); failed: complete_outbox(false, error).
//   retry      state unchanged (a pending row is requested again, a sent row queried again), due
//              at next_attempt_at. At retry.attempts_max attempts or retry.age_max of age, a
//              pending row fails for good (nothing reached the provider), but a sent row stays
//              sent, due every retry.backoff_max, for reconciliation: the provider has it.
//   unknown    state sent, due at next_attempt_at: the call may have reached the provider, so
//              the next call must be a status query. For money it is never failed here: paying
//              twice or voiding a leg the provider carried out are both worse than waiting.
// A row already done or failed (a callback got there first) is returned unchanged, except that
// succeeded/failed against the other final state answers already_posted / already_voided.
boost::system::result<OutboxRow> record_outbox_attempt(Connection& db, std::int64_t id,
                                                       const OutboxAttempt& attempt,
                                                       const OutboxRetry& retry,
                                                       std::string_view actor, Seconds now);

// mark_outbox_sent, complete_outbox, retry_outbox and record_outbox_attempt answer
// unknown_transfer for an id that names no row, and corrupt for a row whose kind or state this
// binary never wrote (nothing is written to it). complete_outbox, retry_outbox and
// record_outbox_attempt are atomic: an error leaves nothing written.

// Rows by state, for /metrics and health; corrupt when a row's state is not one of them.
struct OutboxCounts {
    std::int64_t pending = 0;
    std::int64_t sent = 0;
    std::int64_t done = 0;
    std::int64_t failed = 0;
};
boost::system::result<OutboxCounts> count_outbox(Connection& db);
// Rows still open (pending or sent): a cheap count through the outbox_due index.
boost::system::result<std::int64_t> count_open_outbox(Connection& db);

// Open rows of one kind and state, and when the oldest of them was written, for `hodi check`.
struct OpenOutbox {
    OutboxKind kind = OutboxKind::stk_push;
    OutboxState state = OutboxState::pending;
    std::int64_t count = 0;
    Seconds oldest{};
};
// Every (kind, state) with open rows, in kind then state order.
boost::system::result<std::vector<OpenOutbox>> list_open_outbox(Connection& db);

}  // namespace hodi::storage
