// What the outbox drainer hands each row to: one sender per kind (STK push, B2C, SMS), and the
// outcome model every sender answers in, the sandbox today and Daraja and AT later.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/bank/money/outbox.hpp"

namespace hodi::adapters {

namespace net = boost::asio;

// What one call on a row came to. The drainer records it with storage::record_outbox_attempt,
// which documents each outcome's effect on the row; in short:
//   accepted   the provider took the request (provider_ref) and answers later: look at `at`.
//   succeeded  done for good (a money leg's transfer is posted).
//   failed     refused for good, with `error` (a money leg's transfer is voided).
//   retry      transient, and the provider did NOT act on this call (could not connect, a 503
//              before the request was taken): try again at `at`, or after the drainer's backoff
//              with jitter when `at` is empty; retries are bounded by OutboxRetry.
//   unknown    no answer after the request may have reached the provider (a timeout once it was
//              written). For money this is never a failure: the row becomes `sent` and the next
//              call must be a status query, at `at` or after the backoff. A sender unsure
//              whether the provider acted answers unknown, never retry.
struct SendOutcome {
    storage::OutboxOutcome outcome = storage::OutboxOutcome::unknown;
    std::string provider_ref;           ///< CheckoutRequestID, ConversationID, AT message id
    std::string error;                  ///< failed, retry, unknown: why, kept in last_error
    std::optional<storage::Seconds> at;  ///< when the row comes due again; required for accepted

    static SendOutcome accepted(std::string provider_ref, storage::Seconds check_at) {
        return {storage::OutboxOutcome::accepted, std::move(provider_ref), {}, check_at};
    }
    static SendOutcome succeeded(std::string provider_ref = {}) {
        return {storage::OutboxOutcome::succeeded, std::move(provider_ref), {}, std::nullopt};
    }
    static SendOutcome failed(std::string reason) {
        return {storage::OutboxOutcome::failed, {}, std::move(reason), std::nullopt};
    }
    static SendOutcome retry(std::string error, std::optional<storage::Seconds> at = {}) {
        return {storage::OutboxOutcome::retry, {}, std::move(error), at};
    }
    static SendOutcome unknown(std::string error, std::optional<storage::Seconds> at = {}) {
        return {storage::OutboxOutcome::unknown, {}, std::move(error), at};
    }
};

// Carries out rows of one or more kinds. The drainer calls send() outside any SQLite job, from
// its own strand, for a row it has leased; several calls may be in flight at once, so a sender
// must be safe to call concurrently on that strand (no state shared across calls without care).
//
// The contract, for rows the provider may act on:
// - A row in state `pending` has not reached the provider as far as hodi knows: make the
//   request. Its id is outbox_request_id(row), fixed before the call (attempts only moves when
//   the outcome is recorded), so a pass that dies before recording repeats the call with the
//   same id: send it as the provider's idempotency key where there is one.
// - A row in state `sent` (accepted, or unknown) is already with the provider: query its status
//   by provider_ref or request id; never request again.
// - Answer within the drainer's send_deadline, and stop on cancellation: past the deadline the
//   drainer records unknown, cancels the call, and ignores any later answer.
// - Report transport and provider errors as outcomes; an exception is recorded as unknown.
class OutboxSender {
public:
    virtual ~OutboxSender() = default;

    // One call on `row` (a request or a status query) at business time `now`.
    virtual net::awaitable<SendOutcome> send(storage::OutboxRow row, storage::Seconds now) = 0;
    // A short name for logs and the audit actor: "sandbox", "daraja", "at".
    virtual std::string_view name() const = 0;
    // What the operator must be told at start, logged as a warning; empty for nothing.
    virtual std::string warning() const { return {}; }
};

// The sender for each kind of row; none may be empty.
struct Senders {
    std::shared_ptr<OutboxSender> stk_push;
    std::shared_ptr<OutboxSender> b2c;
    std::shared_ptr<OutboxSender> sms;

    // One sender for every kind, as the sandbox is.
    static Senders all(const std::shared_ptr<OutboxSender>& sender) {
        return {sender, sender, sender};
    }
    const std::shared_ptr<OutboxSender>& for_kind(storage::OutboxKind kind) const {
        switch (kind) {
            case storage::OutboxKind::stk_push: return stk_push;
            case storage::OutboxKind::b2c: return b2c;
            case storage::OutboxKind::sms: return sms;
        }
        return sms;
    }
};

// The id of the next call on `row`: "hodi-<row id>-<attempts>". Unique per attempt, and the same
// when an attempt whose outcome was lost is repeated.
inline std::string outbox_request_id(const storage::OutboxRow& row) {
    return "hodi-" + std::to_string(row.id) + "-" + std::to_string(row.attempts);
}

}  // namespace hodi::adapters
