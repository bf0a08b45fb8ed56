// Loans in SQL and on the ledger: the legs are described in loans.hpp.
#include "storage/bank/money/loans.hpp"

#include <algorithm>
#include <array>

#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/credit_score.hpp"
#include "storage/bank/money/loan_rows.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/money/transfer_kinds.hpp"
#include "storage/bank/money/users.hpp"

namespace hodi::storage {

namespace {

using namespace loan_rows;

int active_loans(Connection& db, std::int64_t user_id) {
    Prepared query(db,
                   "SELECT count(*) FROM loans WHERE user_id = ? "
                   "AND state IN ('disbursing', 'open')");
    query.bind(1, user_id);
    query.executeStep();
    return query.getColumn(0).getInt();
}

// Inserts the loan row; answers it with its id.
Loan insert_loan(Connection& db, Loan loan) {
    Prepared insert(db,
                    "INSERT INTO loans (user_id, product, purpose, principal, interest, "
                    "fee, penalty_rate, term_days, state, disbursement, created_at, "
                    "due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'disbursing', ?, ?, ?)");
    insert.bind(1, loan.user_id);
    insert.bind(2, loan.product);
    insert.bind(3, loan.purpose);
    insert.bind(4, loan.principal);
    insert.bind(5, loan.interest);
    insert.bind(6, loan.fee);
    insert.bind(7, loan.penalty_rate);
    insert.bind(8, loan.term_days);
    insert.bind(9, loan.disbursement);
    insert.bind(10, unix_seconds(loan.created_at));
    insert.bind(11, unix_seconds(loan.due_at));
    insert.exec();
    loan.id = db.getLastInsertRowid();
    return loan;
}

// Books an approved loan: its row, its three pending legs, the payout and the audit event.
boost::system::result<Loan> book_loan(Connection& db, const LoanRequest& request,
                                      const LoanProduct& product, Seconds now) {
    Loan loan;
    loan.user_id = request.user_id;
    loan.product = product.name;
    loan.purpose = request.purpose;
    loan.principal = request.amount;
    loan.interest = percent_of(request.amount, product.interest);
    loan.fee = product.fee;
    loan.penalty_rate = product.penalty;
    loan.term_days = product.term_days;
    loan.disbursement = request.transfer_id;
    loan.created_at = now;
    loan.due_at = now + std::chrono::days{product.term_days};
    loan = insert_loan(db, std::move(loan));

    auto account = find_account(db, loan_code(request.phone));
    auto clearing = find_account(db, SystemAccount::mpesa_clearing);
    auto interest = find_account(db, SystemAccount::interest_income);
    auto fees = find_account(db, SystemAccount::fee_income);
    if (!account || !clearing || !interest || !fees) {
        return make_error_code(BankError::unknown_account);
    }
    const std::string& id = request.transfer_id;
    for (auto booked :
         {leg(db, id, *account, *clearing, loan.principal, transfer_kind::loan, true, now),
          leg(db, interest_id(id), *account, *interest, loan.interest, transfer_kind::interest,
              true, now),
          leg(db, fee_id(id), *account, *fees, loan.fee, transfer_kind::fee, true, now)}) {
        if (!booked) return booked.error();
    }
    auto queued = enqueue_outbox(
        db, {OutboxKind::b2c, id, request.phone, loan.principal, "loan " + std::to_string(loan.id)},
        now);
    if (!queued) return queued.error();
    if (auto logged = audit(db, "subscriber", "loan.approved", request.phone, loan,
                            "KES " + format_cents(loan.principal) + " " + loan.purpose +
                                ", due " + format_date(loan.due_at),
                            now);
        !logged) {
        return logged.error();
    }
    return loan;
}

}  // namespace

std::string_view to_string(LoanState state) {
    switch (state) {
        case LoanState::disbursing: return "disbursing";
        case LoanState::open: return "open";
        case LoanState::repaid: return "repaid";
        case LoanState::failed: return "failed";
    }
    return "failed";
}

bool loan_purpose_known(std::string_view purpose) {
    return std::find(loan_purposes.begin(), loan_purposes.end(), purpose) != loan_purposes.end();
}

boost::system::result<std::vector<Loan>> user_loans(Connection& db, std::int64_t user_id) {
    Prepared query(db, std::string(loan_columns) + "WHERE user_id = ? ORDER BY id");
    query.bind(1, user_id);
    std::vector<Loan> loans;
    while (query.executeStep()) loans.push_back(read_loan(query));
    return loans;
}

boost::system::result<Cents> loan_limit(Connection& db, std::int64_t user_id,
                                        const LoanSettings& settings, Seconds now) {
    auto score = current_score(db, user_id, now);
    if (!score) return score.error();
    if (score->inputs.tenure_days < settings.min_tenure_days ||
        score->inputs.savings_weeks < settings.min_saving_weeks) {
        return Cents{0};
    }
    return settings.limit_for_score(score->score());
}

boost::system::result<LoanApplication> apply_for_loan(Connection& db, const LoanRequest& request,
                                                      const LoanSettings& settings, Seconds now) {
    if (!loan_purpose_known(request.purpose)) return make_error_code(BankError::invalid_amount);
    // A repeated hop answers what the first one decided, not "you already have a loan".
    if (auto first = loan_by_disbursement(db, request.transfer_id)) {
        return LoanApplication{LoanDecision::approved, 0, std::move(*first)};
    }
    auto limit = loan_limit(db, request.user_id, settings, now);
    if (!limit) return limit.error();
    const LoanProduct& product = settings.product();
    LoanApplication application{LoanDecision::approved, *limit, {}};
    if (active_loans(db, request.user_id) >= product.open_loans_max) {
        application.decision = LoanDecision::has_open_loan;
    } else if (request.amount < product.min) {
        application.decision = LoanDecision::too_small;
    } else if (request.amount > *limit) {
        application.decision = LoanDecision::over_limit;
    }
    if (application.decision != LoanDecision::approved) return application;
    auto loan = book_loan(db, request, product, now);
    if (!loan) return loan.error();
    application.loan = std::move(*loan);
    return application;
}

boost::system::result<void> loan_disbursement_settled(Connection& db, const Transfer& transfer,
                                                      Seconds now) {
    auto found = loan_by_disbursement(db, transfer.id);
    if (!found || found->state != LoanState::disbursing) return {};  // nothing waits on it
    Loan& loan = *found;
    const bool paid_out = transfer.state == TransferState::posted;
    for (const std::string& charge : {interest_id(transfer.id), fee_id(transfer.id)}) {
        auto exists = find_transfer(db, charge);
        if (!exists) return exists.error();
        if (!*exists) continue;
        auto settled = paid_out ? post_transfer(db, charge, now) : void_transfer(db, charge, now);
        if (!settled) return settled.error();
    }
    // The term runs from the payout, not the application: a slow B2C costs the user nothing.
    loan.state = paid_out ? LoanState::open : LoanState::failed;
    if (paid_out) loan.due_at = now + std::chrono::days{loan.term_days};
    Prepared update(db,
                    "UPDATE loans SET state = ?, due_at = ?, closed_at = ? "
                    "WHERE id = ?");
    update.bind(1, std::string(to_string(loan.state)));
    update.bind(2, unix_seconds(loan.due_at));
    if (!paid_out) update.bind(3, unix_seconds(now));
    update.bind(4, loan.id);
    update.exec();
    if (!paid_out) {
        auto phone = phone_of(db, loan.user_id);
        if (!phone) return phone.error();
        if (auto logged = audit(db, "system", "loan.failed", *phone, loan, "payout failed", now);
            !logged) {
            return logged.error();
        }
    }
    auto score = recompute_score(db, loan.user_id, now);
    if (!score) return score.error();
    return {};
}

}  // namespace hodi::storage
