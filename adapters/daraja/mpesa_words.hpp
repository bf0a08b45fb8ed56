// What Daraja's results mean for money: ResultCodes read as succeeded, failed for good, or not
// known (then the payment stays open and is asked about again), and each parsed callback
// turned into the bank's MpesaResult. hodi's ids for its requests ("hodi-<row>" for a payout,
// "hodi-<row>-status-<n>" for a status query of it) lead back to the outbox row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/daraja/callback_bodies.hpp"
#include "storage/bank/money/mpesa_results.hpp"

namespace hodi::adapters::daraja {

// STK: 0 succeeded; the codes PROTOCOLS.md §3.6 lists as refusals (insufficient funds,
// locked, expired, cancelled, unreachable, wrong PIN, push errors, operator missing) failed;
// any other code pending: a code hodi does not know never fails a payment.
storage::MpesaVerdict stk_verdict(const ResultCode& code);
// B2C: 0 succeeded; refusals before any money left the shortcode (insufficient float, invalid
// initiator, limits, unsupported recipient) failed; anything else pending, for a status query.
storage::MpesaVerdict b2c_verdict(const ResultCode& code);
// Transaction Status: found and Completed succeeded; found and Failed/Cancelled/Declined
// failed; not found or anything else pending (the payout may still be in M-Pesa's queue).
storage::MpesaVerdict status_verdict(const StatusResult& status);

// hodi's id of a payout, "hodi-<row>", as sent in OriginatorConversationID.
std::string payout_id(std::int64_t row);
// hodi's id of the `attempt`th status query of payout `row`.
std::string status_query_id(std::int64_t row, int attempt);
// The outbox row named by a payout or status query id of hodi's, if it is one.
std::optional<std::int64_t> row_of_request_id(std::string_view id);

storage::MpesaResult stk_result(const StkCallback& callback);
storage::MpesaResult b2c_result(const B2cResult& result);
// A queue timeout says only that the payout is late: pending, never failed.
storage::MpesaResult b2c_timeout(const B2cResult& result);
storage::MpesaResult status_result(const StatusResult& status);

}  // namespace hodi::adapters::daraja
