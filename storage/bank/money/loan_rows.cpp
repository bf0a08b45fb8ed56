// Loan rows in SQL and the ledger legs of a loan, shared by the loan files.
#include "storage/bank/money/loan_rows.hpp"

#include "storage/bank/money/audit.hpp"
#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage::loan_rows {

namespace {

LoanState parse_loan_state(const std::string& text) {
    if (text == "open") return LoanState::open;
    if (text == "repaid") return LoanState::repaid;
    if (text == "failed") return LoanState::failed;
    return LoanState::disbursing;
}

}  // namespace

const char* const loan_columns =
    "SELECT id, user_id, product, purpose, principal, interest, fee, penalty, penalty_rate, "
    "term_days, repaid, state, disbursement, created_at, due_at, overdue_at, closed_at "
    "FROM loans ";

Loan read_loan(Prepared& q) {
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
    loan.created_at = from_unix_seconds(q.getColumn(13).getInt64());
    loan.due_at = from_unix_seconds(q.getColumn(14).getInt64());
    if (!q.getColumn(15).isNull()) loan.overdue_at = from_unix_seconds(q.getColumn(15).getInt64());
    if (!q.getColumn(16).isNull()) loan.closed_at = from_unix_seconds(q.getColumn(16).getInt64());
    return loan;
}

std::optional<Loan> loan_by_disbursement(Connection& db, std::string_view id) {
    Prepared query(db, std::string(loan_columns) + "WHERE disbursement = ?");
    query.bind(1, std::string(id));
    if (!query.executeStep()) return std::nullopt;
    return read_loan(query);
}

std::string interest_id(std::string_view loan_leg) { return std::string(loan_leg) + ":interest"; }
std::string fee_id(std::string_view loan_leg) { return std::string(loan_leg) + ":fee"; }

boost::system::result<std::string> phone_of(Connection& db, std::int64_t user_id) {
    Prepared query(db, "SELECT phone FROM users WHERE id = ?");
    query.bind(1, user_id);
    if (!query.executeStep()) return make_error_code(BankError::unknown_user);
    return query.getColumn(0).getString();
}

boost::system::result<void> audit(Connection& db, const char* actor, const char* event,
                                  const std::string& phone, const Loan& loan,
                                  const std::string& what, Seconds now) {
    return append_audit(db, {actor, event, phone, "loan " + std::to_string(loan.id) + ": " + what},
                        now);
}

boost::system::result<void> leg(Connection& db, std::string id, AccountId debit, AccountId credit,
                                Cents amount, std::string_view kind, bool two_phase, Seconds now) {
    if (amount == 0) return {};
    auto made = create_transfer(
        db, {std::move(id), debit, credit, amount, std::string(kind), two_phase}, now);
    if (!made) return made.error();
    return {};
}

}  // namespace hodi::storage::loan_rows
