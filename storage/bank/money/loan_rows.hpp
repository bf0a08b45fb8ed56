// The SQL rows and ledger legs that loans.cpp (applying, paying out) and loan_repayments.cpp
// (repaying, penalties) share. Internal to the bank: callers use loans.hpp.
#pragma once

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/loans.hpp"

namespace hodi::storage::loan_rows {

// "SELECT <every loans column> FROM loans ", in read_loan's order; append a WHERE clause.
extern const char* const loan_columns;

Loan read_loan(Prepared& q);
std::optional<Loan> loan_by_disbursement(Connection& db, std::string_view id);

// The ids of the interest and fee legs booked with the payout leg `loan_leg`.
std::string interest_id(std::string_view loan_leg);
std::string fee_id(std::string_view loan_leg);

boost::system::result<std::string> phone_of(Connection& db, std::int64_t user_id);

// Appends "loan <id>: <what>" about the user `phone` to the audit log.
boost::system::result<void> audit(Connection& db, const char* actor, const char* event,
                                  const std::string& phone, const Loan& loan,
                                  const std::string& what, Seconds now);

// A pending (two_phase) or posted leg; a zero charge books nothing.
boost::system::result<void> leg(Connection& db, std::string id, AccountId debit, AccountId credit,
                                Cents amount, std::string_view kind, bool two_phase, Seconds now);

}  // namespace hodi::storage::loan_rows
