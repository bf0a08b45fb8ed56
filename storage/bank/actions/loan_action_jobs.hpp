// The SQL halves of loan.limit, loan.apply, loan.status, loan.repay and score, each answering an
// ActionResult: loan.apply and loan.repay are write jobs (repay charges any overdue penalty
// first); loan.limit, loan.status and score are read jobs that show what is due and move
// nothing. Plain functions, never lambdas inside a co_await (see bank_action_jobs.hpp).
#pragma once

#include <string>

#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/loan_settings.hpp"
#include "storage/bank/money/loans.hpp"

namespace hodi::storage {

// `settings` must outlive the job (BankActions owns it and awaits the job).
ActionJob loan_limit_job(std::string phone, const LoanSettings* settings, Seconds now);
ActionJob loan_apply_job(LoanRequest request, const LoanSettings* settings, Seconds now);
ActionJob loan_status_job(std::string phone, Seconds now);
ActionJob loan_repay_job(std::int64_t user_id, std::string phone, std::string transfer_id,
                         Cents amount, bool mpesa, Seconds now);
ActionJob score_job(std::string phone, Seconds now);

}  // namespace hodi::storage
