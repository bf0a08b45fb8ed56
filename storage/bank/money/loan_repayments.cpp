// Repaying loans (from the wallet, or by M-Pesa once the STK push posts) and charging the
// overdue penalty: the legs are described in loans.hpp.

#include <algorithm>

#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/credit_score.hpp"
#include "storage/bank/money/loan_rows.hpp"
#include "storage/bank/money/loans.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/money/transfer_kinds.hpp"
#include "storage/bank/money/users.hpp"

namespace hodi::storage {

namespace {

using namespace loan_rows;

void update_repaid(Connection& db, const Loan& loan, Seconds now) {
    Prepared update(db, "UPDATE loans SET repaid = ?, state = ?, closed_at = ? WHERE id = ?");
    update.bind(1, loan.repaid);
    update.bind(2, std::string(to_string(loan.state)));
    if (loan.state == LoanState::repaid) update.bind(3, unix_seconds(now));
    update.bind(4, loan.id);
    update.exec();
}

// Spreads `amount` over the open loans, oldest first, closing those it pays off; answers what
// is left over (more than was owed).
boost::system::result<Cents> allocate_repayment(Connection& db, std::int64_t user_id,
                                                const std::string& phone, Cents amount,
                                                const char* actor, Seconds now) {
    auto loans = user_loans(db, user_id);
    if (!loans) return loans.error();
    for (Loan& loan : *loans) {
        if (loan.state != LoanState::open || amount == 0) continue;
        const Cents paid = std::min(amount, loan.owed());
        amount -= paid;
        loan.repaid += paid;
        if (loan.owed() == 0) loan.state = LoanState::repaid;
        update_repaid(db, loan, now);
        if (loan.state != LoanState::repaid) continue;
        if (auto logged = audit(db, actor, "loan.repaid", phone, loan,
                                "KES " + format_cents(loan.repaid) + " repaid", now);
            !logged) {
            return logged.error();
        }
    }
    return amount;
}

Cents owed_on_open_loans(const std::vector<Loan>& loans) {
    Cents owed = 0;
    for (const Loan& loan : loans) {
        if (loan.state == LoanState::open) owed += loan.owed();
    }
    return owed;
}

}  // namespace

boost::system::result<void> charge_overdue_penalties(Connection& db, std::int64_t user_id,
                                                     Seconds now) {
    Prepared query(db, std::string(loan_columns) +
                           "WHERE user_id = ? AND state = 'open' AND due_at < ? "
                           "AND overdue_at IS NULL ORDER BY id");
    query.bind(1, user_id);
    query.bind(2, unix_seconds(now));
    std::vector<Loan> overdue;
    while (query.executeStep()) overdue.push_back(read_loan(query));
    if (overdue.empty()) return {};
    auto phone = phone_of(db, user_id);
    if (!phone) return phone.error();
    auto account = find_account(db, loan_code(*phone));
    auto income = find_account(db, SystemAccount::penalty_income);
    if (!account || !income) return make_error_code(BankError::unknown_account);
    for (Loan& loan : overdue) {
        const Cents penalty = loan.penalty_due(now);
        if (auto booked = leg(db, "penalty:" + loan.disbursement, *account, *income, penalty,
                              transfer_kind::penalty, false, now);
            !booked) {
            return booked.error();
        }
        Prepared update(db,
                        "UPDATE loans SET penalty = penalty + ?, overdue_at = ? "
                        "WHERE id = ?");
        update.bind(1, penalty);
        update.bind(2, unix_seconds(now));
        update.bind(3, loan.id);
        update.exec();
        loan.penalty += penalty;
        if (auto logged = audit(db, "system", "loan.overdue", *phone, loan,
                                "penalty KES " + format_cents(penalty) + ", owes KES " +
                                    format_cents(loan.owed()),
                                now);
            !logged) {
            return logged.error();
        }
    }
    return {};
}

boost::system::result<Repayment> repay_loans(Connection& db, std::int64_t user_id,
                                             std::string_view phone, const std::string& transfer_id,
                                             Cents amount, bool mpesa, Seconds now) {
    if (amount <= 0) return make_error_code(BankError::invalid_amount);
    if (auto charged = charge_overdue_penalties(db, user_id, now); !charged) {
        return charged.error();
    }
    auto loans = user_loans(db, user_id);
    if (!loans) return loans.error();
    const Cents owed = owed_on_open_loans(*loans);
    auto first = find_transfer(db, transfer_id);
    if (!first) return first.error();
    if (*first) {  // a repeated hop: answer the first repayment and today's balance
        const bool pending = (*first)->state == TransferState::pending;
        return Repayment{pending ? RepayOutcome::pending : RepayOutcome::paid, (*first)->amount,
                         owed};
    }
    if (owed == 0) return Repayment{RepayOutcome::none, 0, 0};
    const Cents paid = std::min(amount, owed);
    auto account = find_account(db, loan_code(phone));
    if (!account) return account.error();
    if (mpesa) {
        auto clearing = find_account(db, SystemAccount::mpesa_clearing);
        if (!clearing) return clearing.error();
        if (auto booked = leg(db, transfer_id, *clearing, *account, paid,
                              transfer_kind::repay_mpesa, true, now);
            !booked) {
            return booked.error();
        }
        auto queued = enqueue_outbox(
            db, {OutboxKind::stk_push, transfer_id, std::string(phone), paid, "loan repayment"},
            now);
        if (!queued) return queued.error();
        return Repayment{RepayOutcome::pending, paid, owed};
    }
    auto wallet = find_account(db, wallet_code(phone));
    if (!wallet) return wallet.error();
    auto moved = create_transfer(
        db, {transfer_id, *wallet, *account, paid, std::string(transfer_kind::repay)}, now);
    if (!moved && moved.error() == BankError::insufficient_funds) {
        return Repayment{RepayOutcome::insufficient_funds, paid, owed};
    }
    if (!moved) return moved.error();
    auto left = allocate_repayment(db, user_id, std::string(phone), paid, "subscriber", now);
    if (!left) return left.error();
    if (auto score = recompute_score(db, user_id, now); !score) return score.error();
    return Repayment{RepayOutcome::paid, paid, owed - paid};
}

boost::system::result<void> mpesa_repayment_posted(Connection& db, const Transfer& transfer,
                                                   Seconds now) {
    auto account = load_account(db, transfer.credit);
    if (!account) return account.error();
    if (!account->user_id) return make_error_code(BankError::unknown_user);
    auto phone = phone_of(db, *account->user_id);
    if (!phone) return phone.error();
    auto left =
        allocate_repayment(db, *account->user_id, *phone, transfer.amount, "system", now);
    if (!left) return left.error();
    // The loan was paid off some other way while the STK push waited: the rest is the user's.
    if (*left > 0) {
        auto wallet = find_account(db, wallet_code(*phone));
        if (!wallet) return wallet.error();
        if (auto refunded = leg(db, transfer.id + ":refund", account->id, *wallet, *left,
                                transfer_kind::refund, false, now);
            !refunded) {
            return refunded.error();
        }
    }
    auto score = recompute_score(db, *account->user_id, now);
    if (!score) return score.error();
    return {};
}

}  // namespace hodi::storage
