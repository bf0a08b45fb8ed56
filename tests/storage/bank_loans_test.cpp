// Loans on the ledger: approval against the score's limit, B2C payout and its settlement,
// repayments from the wallet and by M-Pesa, the overdue penalty, and the loan actions.
#include "storage/bank/money/loans.hpp"

#include <doctest/doctest.h>

#include <algorithm>


#include "storage/action_catalogue.hpp"
#include "storage/bank/actions/bank_actions.hpp"
#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/money/credit_score.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/money/settlement.hpp"
#include "storage/bank/money/users.hpp"
#include "tests/storage/bank_teller.hpp"

namespace {

using namespace hodi::storage;
using namespace std::chrono_literals;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";

// Everyone may borrow up to KES 5,000 whatever their score, so limits are predictable.
// Every subscriber may borrow up to KES 5,000 at once: these tests are about loans, not about
// who may have one.
LoanSettings flat_settings() {
    LoanSettings settings;
    settings.limits = {{0, 500'000}};
    settings.min_tenure_days = 0;
    settings.min_saving_weeks = 0;
    return settings;
}

std::int64_t count(Connection& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

struct Borrower {
    std::unique_ptr<Connection> db = open_connection(":memory:").value();
    LoanSettings settings = flat_settings();
    User user;
    AccountId wallet = 0;
    AccountId loan_account = 0;

    Borrower() {
        REQUIRE(migrate(*db).has_value());
        user = ensure_user(*db, phone, hodi::engine::Language::en, start).value();
        wallet = find_account(*db, wallet_code(phone)).value();
        loan_account = find_account(*db, loan_code(phone)).value();
        const AccountId clearing = find_account(*db, SystemAccount::mpesa_clearing).value();
        REQUIRE(create_transfer(*db, {"topup", clearing, wallet, 300'000, "topup"}, start)
                    .has_value());
    }
    ~Borrower() { CHECK(verify_book(*db).violations.empty()); }

    LoanApplication apply(const std::string& id, Cents amount, Seconds at = start) {
        return apply_for_loan(*db, {id, user.id, phone, amount, "business"}, settings, at)
            .value();
    }
    Loan approved_and_paid_out(const std::string& id, Cents amount, Seconds at = start) {
        REQUIRE(apply(id, amount, at).decision == LoanDecision::approved);
        REQUIRE(settle_transfer(*db, id, true, at).has_value());
        return user_loans(*db, user.id).value().back();
    }
    Cents loan_balance() { return load_account(*db, loan_account).value().balance; }
    Cents wallet_balance() { return load_account(*db, wallet).value().balance; }
    Repayment repay(const std::string& id, Cents amount, bool mpesa = false, Seconds at = start) {
        return repay_loans(*db, user.id, phone, id, amount, mpesa, at).value();
    }
};

}  // namespace

TEST_CASE("a loan within the limit is approved as pending legs with one b2c payout queued") {
    // Goal: apply books the disbursement atomically. Method: apply KES 2,000 at 10% + KES 50
    // and inspect the loan row, the pending transfers and the outbox.
    Borrower b;
    const LoanApplication applied = b.apply("loan:1", 200'000);
    REQUIRE(applied.decision == LoanDecision::approved);
    CHECK(applied.loan.state == LoanState::disbursing);
    CHECK(applied.loan.total() == 200'000 + 20'000 + 5'000);
    CHECK(applied.loan.due_at == start + std::chrono::days{30});
    const Transfer leg = find_transfer(*b.db, "loan:1").value().value();
    CHECK(leg.state == TransferState::pending);
    CHECK(leg.debit == b.loan_account);
    CHECK(count(*b.db, "SELECT count(*) FROM transfers WHERE state = 'pending'") == 3);
    CHECK(count(*b.db, "SELECT count(*) FROM outbox WHERE kind = 'b2c' AND transfer = 'loan:1' "
                       "AND amount = 200000 AND phone = '+254712345678'") == 1);
    CHECK(count(*b.db, "SELECT count(*) FROM outbox") == 1);
    CHECK(count(*b.db, "SELECT count(*) FROM audit WHERE event = 'loan.approved'") == 1);
    CHECK(b.loan_balance() == 0);  // nothing is owed until the money has left
}

TEST_CASE("a loan above the limit or below the product minimum is refused without writing") {
    // Goal: over_limit and too_small. Method: just above the limit, just below the minimum.
    Borrower b;
    const LoanApplication over = b.apply("loan:1", 500'001);
    CHECK(over.decision == LoanDecision::over_limit);
    CHECK(over.limit == 500'000);
    CHECK(b.apply("loan:2", 49'999).decision == LoanDecision::too_small);
    CHECK(count(*b.db, "SELECT count(*) FROM loans") == 0);
    CHECK(count(*b.db, "SELECT count(*) FROM outbox") == 0);
}

TEST_CASE("the limit follows the score table and never exceeds the product maximum") {
    // Goal: LoanSettings::limit_for_score. Method: scores at and around the default rows.
    const LoanSettings settings;
    CHECK(settings.limit_for_score(0) == 0);
    CHECK(settings.limit_for_score(19) == 0);
    CHECK(settings.limit_for_score(20) == 50'000);
    CHECK(settings.limit_for_score(65) == 500'000);
    LoanSettings capped;
    capped.products.front().max = 100'000;
    CHECK(capped.limit_for_score(100) == 100'000);
}

TEST_CASE("a user holds one loan at a time unless the product allows more") {
    // Goal: has_open_loan. Method: a second loan while the first pays out, then with room for 2.
    Borrower b;
    REQUIRE(b.apply("loan:1", 100'000).decision == LoanDecision::approved);
    CHECK(b.apply("loan:2", 100'000).decision == LoanDecision::has_open_loan);
    b.settings.products.front().open_loans_max = 2;
    CHECK(b.apply("loan:3", 100'000).decision == LoanDecision::approved);
}

TEST_CASE("a repeated application id applies once and answers the first loan") {
    // Goal: a hop AT repeats borrows once. Method: the same id twice.
    Borrower b;
    const Loan first = b.apply("loan:1", 100'000).loan;
    const LoanApplication again = b.apply("loan:1", 100'000);
    CHECK(again.decision == LoanDecision::approved);
    CHECK(again.loan.id == first.id);
    CHECK(count(*b.db, "SELECT count(*) FROM loans") == 1);
    CHECK(count(*b.db, "SELECT count(*) FROM outbox") == 1);
}

TEST_CASE("a payout that succeeds opens the loan with its due date counted from then") {
    // Goal: settlement of the loan leg. Method: settle a day after applying.
    Borrower b;
    REQUIRE(b.apply("loan:1", 200'000).decision == LoanDecision::approved);
    REQUIRE(settle_transfer(*b.db, "loan:1", true, start + 24h).has_value());
    const Loan loan = user_loans(*b.db, b.user.id).value().front();
    CHECK(loan.state == LoanState::open);
    CHECK(loan.due_at == start + 24h + std::chrono::days{30});
    CHECK(b.loan_balance() == -225'000);
    CHECK(count(*b.db, "SELECT count(*) FROM transfers WHERE state = 'pending'") == 0);
    CHECK(load_account(*b.db, find_account(*b.db, SystemAccount::interest_income).value())
              .value()
              .balance == 20'000);
}

TEST_CASE("a payout that fails marks the loan failed and leaves nothing owed or earned") {
    // Goal: a voided disbursement undoes the charges. Method: settle as failed.
    Borrower b;
    REQUIRE(b.apply("loan:1", 200'000).decision == LoanDecision::approved);
    REQUIRE(settle_transfer(*b.db, "loan:1", false, start).has_value());
    const Loan loan = user_loans(*b.db, b.user.id).value().front();
    CHECK(loan.state == LoanState::failed);
    CHECK(b.loan_balance() == 0);
    CHECK(count(*b.db, "SELECT count(*) FROM transfers WHERE state = 'voided'") == 3);
    CHECK(count(*b.db, "SELECT sum(balance) FROM accounts WHERE kind LIKE '%income'") == 0);
    // The failed loan no longer blocks a new one.
    CHECK(b.apply("loan:2", 100'000).decision == LoanDecision::approved);
}

TEST_CASE("wallet repayments pay part, then all, and an overpayment is capped") {
    // Goal: partial repay, full repay closes, over-repay capped. Method: three repayments.
    Borrower b;
    b.approved_and_paid_out("loan:1", 100'000);  // owes 1,000 + 100 + 50
    const Repayment part = b.repay("repay:1", 50'000);
    CHECK(part.outcome == RepayOutcome::paid);
    CHECK(part.owed == 65'000);
    CHECK(b.loan_balance() == -65'000);
    const Repayment rest = b.repay("repay:2", 100'000);
    CHECK(rest.outcome == RepayOutcome::paid);
    CHECK(rest.amount == 65'000);
    CHECK(rest.owed == 0);
    CHECK(b.loan_balance() == 0);
    CHECK(b.wallet_balance() == 300'000 - 115'000);
    const Loan loan = user_loans(*b.db, b.user.id).value().front();
    CHECK(loan.state == LoanState::repaid);
    CHECK(count(*b.db, "SELECT count(*) FROM audit WHERE event = 'loan.repaid'") == 1);
    CHECK(b.repay("repay:3", 10'000).outcome == RepayOutcome::none);
}

TEST_CASE("a wallet repayment beyond the wallet is refused") {
    // Goal: insufficient_funds. Method: owe more than the wallet holds, repay it all.
    Borrower b;
    b.settings.limits = {{0, 5'000'000}};
    b.approved_and_paid_out("loan:1", 400'000);
    CHECK(b.repay("repay:1", 460'000).outcome == RepayOutcome::insufficient_funds);
    CHECK(b.wallet_balance() == 300'000);
}

TEST_CASE("an M-Pesa repayment waits for the STK push and counts when it posts") {
    // Goal: M-Pesa repay is pending with one stk_push row, then closes the loan. Method: repay
    // in full by M-Pesa and settle.
    Borrower b;
    b.approved_and_paid_out("loan:1", 100'000);
    const Repayment pending = b.repay("repay_mpesa:1", 115'000, true);
    CHECK(pending.outcome == RepayOutcome::pending);
    CHECK(pending.owed == 115'000);
    CHECK(count(*b.db, "SELECT count(*) FROM outbox WHERE kind = 'stk_push' AND "
                       "transfer = 'repay_mpesa:1' AND amount = 115000") == 1);
    CHECK(b.loan_balance() == -115'000);
    REQUIRE(settle_transfer(*b.db, "repay_mpesa:1", true, start + 1h).has_value());
    CHECK(b.loan_balance() == 0);
    CHECK(user_loans(*b.db, b.user.id).value().front().state == LoanState::repaid);
}

TEST_CASE("an M-Pesa repayment that lands after the loan was paid off goes to the wallet") {
    // Goal: no money is lost to a paid loan. Method: STK push, then repay from the wallet,
    // then the push posts.
    Borrower b;
    b.approved_and_paid_out("loan:1", 100'000);
    REQUIRE(b.repay("repay_mpesa:1", 115'000, true).outcome == RepayOutcome::pending);
    REQUIRE(b.repay("repay:1", 115'000).outcome == RepayOutcome::paid);
    REQUIRE(settle_transfer(*b.db, "repay_mpesa:1", true, start).has_value());
    CHECK(b.loan_balance() == 0);
    CHECK(b.wallet_balance() == 300'000);
}

TEST_CASE("an overdue loan is charged its penalty once and shows as late in the score") {
    // Goal: penalty once, when first seen overdue. Method: look twice past the due date.
    Borrower b;
    const Loan loan = b.approved_and_paid_out("loan:1", 100'000);
    const Seconds late = loan.due_at + 1h;
    REQUIRE(charge_overdue_penalties(*b.db, b.user.id, loan.due_at).has_value());
    CHECK(b.loan_balance() == -115'000);  // due, not yet overdue
    REQUIRE(recompute_score(*b.db, b.user.id, late).has_value());
    REQUIRE(charge_overdue_penalties(*b.db, b.user.id, late + 24h).has_value());
    const Cents penalty = 115'000 * 5 / 100;
    CHECK(b.loan_balance() == -(115'000 + penalty));
    const Loan after = user_loans(*b.db, b.user.id).value().front();
    CHECK(after.penalty == penalty);
    CHECK(after.overdue(late));
    CHECK(count(*b.db, "SELECT count(*) FROM audit WHERE event = 'loan.overdue'") == 1);
    CHECK(gather_score_inputs(*b.db, b.user.id, late).value().loans_late == 1);
    const Repayment paid = b.repay("repay:1", 200'000, false, late);
    CHECK(paid.amount == 115'000 + penalty);
    CHECK(gather_score_inputs(*b.db, b.user.id, late).value().loans_on_time == 0);
}

TEST_CASE("the book-wide sweep charges overdue borrowers who never dial, once, in batches") {
    // Goal: a penalty does not wait for the borrower to dial. Method: one overdue loan; sweep
    // before the due date (nothing), after it with a batch of one (one user), then again
    // (nothing left to charge).
    Borrower b;
    const Loan loan = b.approved_and_paid_out("loan:1", 100'000);
    CHECK(charge_all_overdue_penalties(*b.db, loan.due_at - 1h, 1).value() == 0);
    CHECK(b.loan_balance() == -115'000);
    CHECK(charge_all_overdue_penalties(*b.db, loan.due_at + 1h, 1).value() == 1);
    CHECK(b.loan_balance() == -(115'000 + 115'000 * 5 / 100));
    CHECK(charge_all_overdue_penalties(*b.db, loan.due_at + 2h, 1).value() == 0);
    CHECK(count(*b.db, "SELECT count(*) FROM audit WHERE event = 'loan.overdue'") == 1);
}

TEST_CASE("the catalogue, the loan code and the schema know the same loan purposes") {
    // Goal: one definition of the purposes. Method: loan.apply's choices are loan_purposes; the
    // loans table's CHECK takes each of them and refuses any other word.
    const hodi::engine::ActionSpec* apply = find_action_spec("loan.apply");
    REQUIRE(apply != nullptr);
    const auto purpose = std::find_if(apply->params.begin(), apply->params.end(),
                                      [](const auto& param) { return param.name == "purpose"; });
    REQUIRE(purpose != apply->params.end());
    CHECK(purpose->choices == std::vector<std::string>(loan_purposes.begin(), loan_purposes.end()));
    Borrower b;
    auto insert = [&b](std::string_view word) {
        SQLite::Statement row(*b.db,
                              "INSERT INTO loans (user_id, product, purpose, principal, interest, "
                              "fee, penalty_rate, term_days, disbursement, state, due_at, "
                              "created_at) VALUES (?, 'standard', ?, 100, 0, 0, 0, 30, ?, 'open', "
                              "0, 0)");
        row.bind(1, b.user.id);
        row.bind(2, std::string(word));
        row.bind(3, "purpose:" + std::string(word));
        return row.exec();
    };
    for (const std::string_view word : loan_purposes) CHECK(insert(word) == 1);
    CHECK_THROWS(insert("holiday"));
    CHECK_FALSE(loan_purpose_known("holiday"));
}

TEST_CASE("dates read as dd/mm/yyyy") {
    // Goal: the due_date output format. Method: a known instant (2027-01-15 08:00 UTC).
    CHECK(format_date(Seconds{std::chrono::seconds{1'800'000'000}}) == "15/01/2027");
}

namespace {

using hodi::engine::ActionResult;

// The loan actions through BankActions, as a menu calls them, with a flat limit.
struct Teller : hodi::test::Teller {
    Teller() : hodi::test::Teller(start, flat_settings()) {}
};

const hodi::engine::Variables apply_args{{"amount", "2000"}, {"purpose", "business"},
                                         {"pin", "2580"}};

}  // namespace

TEST_CASE("loan.apply answers amounts and the due date, once per hop, and checks the PIN") {
    // Goal: the loan actions end to end on SQLite. Method: wrong PIN, apply, replay the hop,
    // status, repay by M-Pesa.
    Teller t;
    REQUIRE(t.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    CHECK(t.read("loan.status").outcome == "none");
    CHECK(t.read("loan.limit").outputs.at("limit") == "5,000");
    hodi::engine::Variables wrong = apply_args;
    wrong["pin"] = "1357";
    CHECK(t.act("loan.apply", wrong).outcome == "wrong_pin");
    const ActionResult applied = t.act("loan.apply", apply_args);
    CHECK(applied.outcome == "ok");
    CHECK(applied.outputs.at("amount") == "2,000");
    CHECK(applied.outputs.at("total_due") == "2,250");
    CHECK(applied.outputs.at("due_date") == "14/02/2027");
    CHECK(t.act("loan.apply", apply_args, true).outcome == "ok");
    CHECK(t.count("SELECT count(*) FROM loans") == 1);
    CHECK(t.act("loan.apply", apply_args).outcome == "has_open_loan");
    const ActionResult status = t.read("loan.status");
    CHECK(status.outcome == "ok");
    CHECK(status.outputs.at("balance_due") == "2,250");
    CHECK(status.outputs.at("status") == "open");
    CHECK(t.act("loan.repay", {{"amount", "100"}, {"source", "mpesa"}, {"pin", "2580"}})
              .outcome == "none");  // not paid out yet: nothing to repay
    REQUIRE(t.store
                ->write_now<Transfer>([](Connection& db) {
                    return settle_transfer(db, "loan:session:5", true, start);
                })
                .has_value());
    const ActionResult repay =
        t.act("loan.repay", {{"amount", "5000"}, {"source", "mpesa"}, {"pin", "2580"}});
    CHECK(repay.outcome == "pending");
    CHECK(repay.outputs.at("amount") == "2,250");
    CHECK(t.count("SELECT count(*) FROM outbox WHERE kind = 'stk_push'") == 1);
    CHECK(t.store
              ->read_now<BookSummary>([](Connection& db) {
                  return boost::system::result<BookSummary>(verify_book(db));
              })
              .value()
              .violations.empty());
}

TEST_CASE("loan.apply above the limit answers over_limit with the limit") {
    // Goal: the over_limit outcome and its output. Method: KES 5,000.50 against KES 5,000.
    Teller t;
    REQUIRE(t.act("pin.register", {{"pin", "2580"}, {"pin_repeat", "2580"}}).outcome == "ok");
    const ActionResult over = t.act(
        "loan.apply", {{"amount", "5000.50"}, {"purpose", "personal"}, {"pin", "2580"}});
    CHECK(over.outcome == "over_limit");
    CHECK(over.outputs.at("limit") == "5,000");
    CHECK(t.act("loan.apply", {{"amount", "400"}, {"purpose", "personal"}, {"pin", "2580"}})
              .outcome == "too_small");
}
