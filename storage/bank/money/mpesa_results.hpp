// Applying what M-Pesa said about a request hodi made (an STK push, a B2C payout): the one door
// through which Daraja's callbacks and status queries settle an outbox row. What M-Pesa says is
// believed only as far as it agrees with what hodi asked for; anything else moves no money and
// opens a review (payment_reviews.hpp).
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/bank/money/ledger.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/sql/connection.hpp"

namespace hodi::storage {

enum class MpesaVerdict : std::uint8_t {
    succeeded,  ///< the money moved
    failed,     ///< a final refusal: the money did not move and will not
    pending,    ///< no outcome yet (a queue timeout, a ResultCode hodi does not know)
};

// One statement by M-Pesa about one request, already parsed from its wire format.
struct MpesaResult {
    OutboxKind kind = OutboxKind::stk_push;
    // The row the result is for when hodi's own id came back (B2C's OriginatorConversationID).
    std::optional<std::int64_t> outbox_id;
    std::string provider_ref;  ///< CheckoutRequestID or ConversationID; may be empty
    MpesaVerdict verdict = MpesaVerdict::pending;
    std::string code;         ///< the ResultCode as sent, for the audit log and reviews
    std::string description;  ///< ResultDesc
    std::optional<Cents> amount;       ///< what M-Pesa says moved, when it says
    std::optional<std::string> phone;  ///< whom it moved for (digits, '+' optional), when stated
    std::string receipt;               ///< MpesaReceiptNumber / TransactionReceipt
};

enum class ResultFate : std::uint8_t {
    applied,    ///< the row and its transfer are final now
    duplicate,  ///< the row was already final the same way: nothing changed
    pending,    ///< nothing final; the row stays open for its status query
    review,     ///< contradiction: nothing moved, a review is open (review_id)
};
std::string_view to_string(ResultFate fate);

struct AppliedResult {
    ResultFate fate = ResultFate::pending;
    std::optional<std::int64_t> outbox_id;  ///< the row it matched, if any
    std::optional<std::int64_t> review_id;
    std::string reason;  ///< for a review: what contradicts what
};

// Matches `result` to its outbox row (by outbox_id, else by kind and provider_ref) and applies
// it, audited by `actor`, in the caller's transaction:
//   - no row matches: review ("no request matches"); money may have moved at M-Pesa for a
//     request hodi lost track of, so a person must look.
//   - succeeded: the amount and phone, when stated, must equal the request's, else review; a
//     row already failed (its transfer voided) is a review too ("success after failure"),
//     since the subscriber was told it failed.
//   - failed: a row already done is a review ("failure after success"): nothing is undone.
//   - pending: nothing changes, except that a row that never learnt its provider_ref learns it.
// A row already final the same way answers duplicate. `callback_id`, when given, is kept in a
// review.
boost::system::result<AppliedResult> apply_mpesa_result(Connection& db, const MpesaResult& result,
                                                        std::optional<std::int64_t> callback_id,
                                                        std::string_view actor, Seconds now);

// The row of `kind` whose provider_ref is `ref`, if any.
boost::system::result<std::optional<OutboxRow>> find_outbox_by_provider_ref(Connection& db,
                                                                            OutboxKind kind,
                                                                            std::string_view ref);

}  // namespace hodi::storage
