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
};

// Queues an effect, due now. A second request for the same (kind, transfer) returns the first
// row's id and queues nothing: a replayed money step asks the world once.
boost::system::result<std::int64_t> enqueue_outbox(Connection& db, const OutboxRequest& request,
                                                   Seconds now);

// How a failed attempt is retried: the wait doubles from `backoff_first` up to `backoff_max`,
// and after `attempts_max` attempts the row fails for good (a money leg's transfer is voided).
struct OutboxRetry {
    std::chrono::seconds backoff_first{5};
    std::chrono::seconds backoff_max{std::chrono::minutes{10}};
    int attempts_max = 6;
};

// The wait before retrying after `attempts` failed attempts (attempts >= 1).
std::chrono::seconds outbox_backoff(const OutboxRetry& retry, int attempts);

// Takes up to `count` rows that are due (pending or sent, next_attempt_at <= now), oldest due
// first, and pushes their next_attempt_at to now + `lease`: a drainer that dies while holding
// them loses nothing, the rows come due again when the lease ends.
boost::system::result<std::vector<OutboxRow>> claim_due_outbox(Connection& db, Seconds now,
                                                               std::size_t count,
                                                               std::chrono::seconds lease);

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

// mark_outbox_sent, complete_outbox and retry_outbox answer unknown_transfer for an id that
// names no row. complete_outbox and retry_outbox are atomic: an error leaves nothing written.

// Rows by state, for /metrics and health.
struct OutboxCounts {
    std::int64_t pending = 0;
    std::int64_t sent = 0;
    std::int64_t done = 0;
    std::int64_t failed = 0;
};
boost::system::result<OutboxCounts> count_outbox(Connection& db);
// Rows still open (pending or sent): a cheap count through the outbox_due index.
boost::system::result<std::int64_t> count_open_outbox(Connection& db);

}  // namespace hodi::storage
