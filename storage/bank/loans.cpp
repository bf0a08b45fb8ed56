// Loans in SQL and on the ledger: the legs are described in loans.hpp.
#include "storage/bank/loans.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "storage/bank/audit.hpp"
#include "storage/bank/bank_error.hpp"
#include "storage/bank/credit_score.hpp"
#include "storage/bank/outbox.hpp"
#include "storage/bank/transfer_kinds.hpp"
#include "storage/bank/users.hpp"

namespace hodi::storage {

namespace {

constexpr std::array<std::string_view, 4> purposes{"emergency", "business", "education",
                                                   "personal"};

constexpr const char* loan_columns =
    "SELECT id, user_id, product, purpose, principal, interest, fee, penalty, penalty_rate, "
    "term_days, repaid, state, disbursement, created_at, due_at, overdue_at, closed_at "
    "FROM loans ";

std::int64_t seconds(Seconds at) { return at.time_since_epoch().count(); }
Seconds at_seconds(std::int64_t value) { return Seconds{std::chrono::seconds{value}}; }

LoanState parse_loan_state(const std::string& text) {
    if (text == "open") return LoanState::open;
    if (text == "repaid") return LoanState::repaid;
    if (text == "failed") return LoanState::failed;
    return LoanState::disbursing;
}

Loan read_loan(SQLite::Statement& q) {
    Loan loan;
    loan.id = q.getColumn(0).getInt64();
    loan.user_id = q.getColumn(1).getInt64();
    loan.product = q.getColumn(2).getString();
    loan.purpose = q.getColumn(3).getString();
    loan.principal = q.getColumn(4).getInt64();
    loan.interest = q.getColumn(5).getInt64();
    loan.fee = q.getColumn(6).getInt64();
    loan.penalty = q.getColumn(7).getInt64();
    loan.penalty_rate = q.getColumn(8).getInt();
    loan.term_days = q.getColumn(9).getInt();
    loan.repaid = q.getColumn(10).getInt64();
    loan.state = parse_loan_state(q.getColumn(11).getString());
    loan.disbursement = q.getColumn(12).getString();
    loan.created_at = at_seconds(q.getColumn(13).getInt64());
    loan.due_at = at_seconds(q.getColumn(14).getInt64());
    if (!q.getColumn(15).isNull()) loan.overdue_at = at_seconds(q.getColumn(15).getInt64());
    if (!q.getColumn(16).isNull()) loan.closed_at = at_seconds(q.getColumn(16).getInt64());
    return loan;
}

std::optional<Loan> loan_by_disbursement(SQLite::Database& db, std::string_view id) {
    SQLite::Statement query(db, std::string(loan_columns) + "WHERE disbursement = ?");
    query.bind(1, std::string(id));
    if (!query.executeStep()) return std::nullopt;
    return read_loan(query);
}

std::string interest_id(std::string_view loan_leg) { return std::string(loan_leg) + ":interest"; }
std::string fee_id(std::string_view loan_leg) { return std::string(loan_leg) + ":fee"; }

boost::system::result<std::string> phone_of(SQLite::Database& db, std::int64_t user_id) {
    SQLite::Statement query(db, "SELECT phone FROM users WHERE id = ?");
    query.bind(1, user_id);
    if (!query.executeStep()) return make_error_code(BankError::unknown_user);
    return query.getColumn(0).getString();
}

boost::system::result<void> audit(SQLite::Database& db, const char* actor, const char* event,
                                  const std::string& phone, const Loan& loan,
                                  const std::string& what, Seconds now) {
    return append_audit(db, {actor, event, phone, "loan " + std::to_string(loan.id) + ": " + what},
                        now);
}

// A pending (two_phase) or posted leg; a zero charge books nothing.
boost::system::result<void> leg(SQLite::Database& db, std::string id, AccountId debit,
                                AccountId credit, Cents amount, std::string_view kind,
                                bool two_phase, Seconds now) {
    if (amount == 0) return {};
    auto made = create_transfer(
        db, {std::move(id), debit, credit, amount, std::string(kind), two_phase}, now);
    if (!made) return made.error();
    return {};
}

int active_loans(SQLite::Database& db, std::int64_t user_id) {
    SQLite::Statement query(db,
                            "SELECT count(*) FROM loans WHERE user_id = ? "
                            "AND state IN ('disbursing', 'open')");
    query.bind(1, user_id);
    query.executeStep();
    return query.getColumn(0).getInt();
}

// Inserts the loan row; answers it with its id.
Loan insert_loan(SQLite::Database& db, Loan loan) {
    SQLite::Statement insert(db,
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
    insert.bind(10, seconds(loan.created_at));
    insert.bind(11, seconds(loan.due_at));
    insert.exec();
    loan.id = db.getLastInsertRowid();
    return loan;
}

// Books an approved loan: its row, its three pending legs, the payout and the audit event.
boost::system::result<Loan> book_loan(SQLite::Database& db, const LoanRequest& request,
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

void update_repaid(SQLite::Database& db, const Loan& loan, Seconds now) {
    SQLite::Statement update(db,
                             "UPDATE loans SET repaid = ?, state = ?, closed_at = ? WHERE id = ?");
    update.bind(1, loan.repaid);
    update.bind(2, std::string(to_string(loan.state)));
    if (loan.state == LoanState::repaid) update.bind(3, seconds(now));
    update.bind(4, loan.id);
    update.exec();
}

// Spreads `amount` over the open loans, oldest first, closing those it pays off; answers what
// is left over (more than was owed).
boost::system::result<Cents> allocate_repayment(SQLite::Database& db, std::int64_t user_id,
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
    return std::find(purposes.begin(), purposes.end(), purpose) != purposes.end();
}

std::string format_date(Seconds at) {
    const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(at)};
    char date[16];
    std::snprintf(date, sizeof date, "%02u/%02u/%04d", static_cast<unsigned>(day.day()),
                  static_cast<unsigned>(day.month()), static_cast<int>(day.year()));
    return date;
}

boost::system::result<std::vector<Loan>> user_loans(SQLite::Database& db, std::int64_t user_id) {
    SQLite::Statement query(db, std::string(loan_columns) + "WHERE user_id = ? ORDER BY id");
    query.bind(1, user_id);
    std::vector<Loan> loans;
    while (query.executeStep()) loans.push_back(read_loan(query));
    return loans;
}

boost::system::result<Cents> loan_limit(SQLite::Database& db, std::int64_t user_id,
                                        const LoanSettings& settings, Seconds now) {
    auto score = recompute_score(db, user_id, now);
    if (!score) return score.error();
    return settings.limit_for_score(score->score());
}

boost::system::result<LoanApplication> apply_for_loan(SQLite::Database& db,
                                                      const LoanRequest& request,
                                                      const LoanSettings& settings,
                                                      Seconds now) {
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

boost::system::result<void> charge_overdue_penalties(SQLite::Database& db, std::int64_t user_id,
                                                     Seconds now) {
    SQLite::Statement query(db, std::string(loan_columns) +
                                    "WHERE user_id = ? AND state = 'open' AND due_at < ? "
                                    "AND overdue_at IS NULL ORDER BY id");
    query.bind(1, user_id);
    query.bind(2, seconds(now));
    std::vector<Loan> overdue;
    while (query.executeStep()) overdue.push_back(read_loan(query));
    if (overdue.empty()) return {};
    auto phone = phone_of(db, user_id);
    if (!phone) return phone.error();
    auto account = find_account(db, loan_code(*phone));
    auto income = find_account(db, SystemAccount::penalty_income);
    if (!account || !income) return make_error_code(BankError::unknown_account);
    for (Loan& loan : overdue) {
        const Cents penalty = percent_of(loan.owed(), loan.penalty_rate);
        if (auto booked = leg(db, "penalty:" + loan.disbursement, *account, *income, penalty,
                              transfer_kind::penalty, false, now);
            !booked) {
            return booked.error();
        }
        SQLite::Statement update(db,
                                 "UPDATE loans SET penalty = penalty + ?, overdue_at = ? "
                                 "WHERE id = ?");
        update.bind(1, penalty);
        update.bind(2, seconds(now));
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

boost::system::result<Repayment> repay_loans(SQLite::Database& db, std::int64_t user_id,
                                             std::string_view phone,
                                             const std::string& transfer_id, Cents amount,
                                             bool mpesa, Seconds now) {
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

boost::system::result<void> loan_disbursement_settled(SQLite::Database& db,
                                                      const Transfer& transfer, Seconds now) {
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
    SQLite::Statement update(db, "UPDATE loans SET state = ?, due_at = ?, closed_at = ? "
                                 "WHERE id = ?");
    update.bind(1, std::string(to_string(loan.state)));
    update.bind(2, seconds(loan.due_at));
    if (!paid_out) update.bind(3, seconds(now));
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

boost::system::result<void> mpesa_repayment_posted(SQLite::Database& db,
                                                   const Transfer& transfer, Seconds now) {
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
