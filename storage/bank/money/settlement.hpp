// Settling a money leg that waited on M-Pesa: posts (or voids) its pending transfer and applies
// what that means to the business (a loan becomes open, a repayment counts, a deposit extends a
// streak, the credit score moves). One door, called by the sandbox drainer today and by the
// Daraja callbacks later, inside the caller's transaction.
#pragma once

#include <boost/system/result.hpp>
#include <string_view>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/ledger.hpp"

namespace hodi::storage {

// Posts the transfer when `succeeded`, voids it otherwise, then applies its effects. Settling a
// transfer that is already settled the same way returns it unchanged and applies nothing again.
boost::system::result<Transfer> settle_transfer(Connection& db, std::string_view id, bool succeeded,
                                                Seconds now);

// The business effects of a transfer that just settled, by its kind. Called once per
// transfer, by settle_transfer, after the post or void.
boost::system::result<void> apply_settlement_effects(Connection& db, const Transfer& transfer,
                                                     Seconds now);

}  // namespace hodi::storage
