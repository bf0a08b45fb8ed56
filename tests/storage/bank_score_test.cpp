// The credit score: its components from plain inputs, the figures the score action answers,
// and the inputs gathered from the book with times passed in.
#include "storage/bank/money/credit_score.hpp"

#include <doctest/doctest.h>

#include "storage/bank/money/book_check.hpp"
#include "storage/bank/money/loans.hpp"
#include "storage/bank/money/savings.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/money/users.hpp"

namespace {

using namespace hodi::storage;
using hodi::engine::Language;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";

}  // namespace

TEST_CASE("each score component is bounded and a user without loans is neutral on repayment") {
    // Goal: the formula in credit_score.hpp. Method: empty, partial and saturated inputs.
    const ScoreParts empty = compute_score({});
    CHECK(empty.savings == 0);
    CHECK(empty.repayment == score_repayment_neutral);
    CHECK(empty.activity == 0);
    CHECK(empty.tenure == 0);
    const ScoreParts some = compute_score({6, 2, 1, 6, 40});
    CHECK(some.savings == 30);
    CHECK(some.repayment == 20);
    CHECK(some.activity == 12);
    CHECK(some.tenure == 2);
    CHECK(some.total() == 64);
    const ScoreParts most = compute_score({12, 5, 0, 500, 5'000});
    CHECK(most.total() == 100);
    CHECK(compute_score({0, 0, 3, 0, 0}).repayment == 0);
}

TEST_CASE("the score answers its figures, and no_history until a loan is judged") {
    // Goal: storage answers figures, the menu owns the words. Method: a typical record, the
    // empty record, and the widest values; every output is digits and slashes.
    const ScoreInputs typical{6, 2, 0, 6, 200};
    const ScoreAnswer answer = score_answer(compute_score(typical), typical);
    CHECK(answer.outcome == "ok");
    CHECK(answer.outputs == hodi::engine::Variables{{"score", "82"},
                                                    {"savings", "30/40"},
                                                    {"loans", "30/30"},
                                                    {"activity", "12/20"},
                                                    {"tenure", "10/10"},
                                                    {"weeks", "6"},
                                                    {"on_time", "2/2"},
                                                    {"moves", "6"},
                                                    {"days", "200"}});
    const ScoreAnswer empty = score_answer(compute_score({}), {});
    CHECK(empty.outcome == "no_history");
    CHECK(empty.outputs.at("loans") == "15/30");
    const ScoreInputs widest{8, 999, 999, 9'999, 99'999};
    for (const auto& [name, value] : score_answer(compute_score(widest), widest).outputs) {
        INFO(name);
        CHECK(value.find_first_not_of("0123456789/") == std::string::npos);
        CHECK(value.size() <= 9);
    }
}

TEST_CASE("the inputs come from the book as of the time passed in") {
    // Goal: gather_score_inputs and the stored row. Method: deposits in weeks 0, 1 and 9 back,
    // a withdrawal to the wallet and a top-up, a user registered 40 days ago.
    auto db = open_connection(":memory:").value();
    REQUIRE(migrate(*db).has_value());
    const Seconds now = start + std::chrono::days{40};
    const User user = ensure_user(*db, phone, Language::en, start).value();
    const AccountId wallet = find_account(*db, wallet_code(phone)).value();
    const AccountId clearing = find_account(*db, SystemAccount::mpesa_clearing).value();
    REQUIRE(create_transfer(*db, {"t", clearing, wallet, 100'000, "topup"}, start).has_value());
    const SavingsGoal goal = create_goal(*db, user.id, phone, "Roof", 50'000, 10, start)
                                 .value()
                                 .goal;
    const std::pair<const char*, Seconds> deposits[] = {
        {"a", now - std::chrono::days{1}},
        {"b", now - std::chrono::days{2}},
        {"c", now - std::chrono::days{8}},
        {"d", now - std::chrono::days{63}}};
    for (const auto& [id, at] : deposits) {
        REQUIRE(create_transfer(*db, {id, wallet, goal.account, 1'000, "save"}, at).has_value());
    }
    // Moving money between one's own wallet and goals is not activity; an M-Pesa top-up is.
    REQUIRE(create_transfer(*db, {"e", goal.account, wallet, 500, "unsave"},
                            now - std::chrono::days{1})
                .has_value());
    REQUIRE(create_transfer(*db, {"f", clearing, wallet, 10'000, "topup"},
                            now - std::chrono::days{3})
                .has_value());
    const ScoreInputs in = gather_score_inputs(*db, user.id, now).value();
    CHECK(in.savings_weeks == 2);
    CHECK(in.recent_transfers == 1);
    CHECK(in.tenure_days == 40);
    CHECK(in.loans_on_time + in.loans_late == 0);
    const CreditScore score = recompute_score(*db, user.id, now).value();
    CHECK(score.score() == 10 + 15 + 2 + 2);
    CHECK(db->execAndGet("SELECT score FROM credit_scores WHERE user_id = " +
                         std::to_string(user.id))
              .getInt() == score.score());
    CHECK(verify_book(*db).violations.empty());
}

TEST_CASE("the score cannot be bought: round trips, quick loans and a new number earn no limit") {
    // Goal: the gaming once seen (a number registered seconds earlier scored 40 with five KES 10
    // wallet-goal round trips and got KES 2,000 paid out; borrowing 500 and repaying in
    // minutes took 30 to 51) buys nothing. Method: the same moves on a fresh subscriber.
    auto db = open_connection(":memory:").value();
    REQUIRE(migrate(*db).has_value());
    const User user = ensure_user(*db, phone, Language::en, start).value();
    const AccountId wallet = find_account(*db, wallet_code(phone)).value();
    const AccountId clearing = find_account(*db, SystemAccount::mpesa_clearing).value();
    REQUIRE(create_transfer(*db, {"top", clearing, wallet, 10'000, "topup"}, start).has_value());
    const SavingsGoal goal =
        create_goal(*db, user.id, phone, "Roof", 50'000, 10, start).value().goal;
    for (int trip = 0; trip < 5; ++trip) {
        const std::string id = std::to_string(trip);
        REQUIRE(create_transfer(*db, {"in" + id, wallet, goal.account, 1'000, "save"}, start)
                    .has_value());
        REQUIRE(create_transfer(*db, {"out" + id, goal.account, wallet, 1'000, "unsave"}, start)
                    .has_value());
    }
    const Seconds later = start + std::chrono::minutes{10};
    const ScoreInputs in = gather_score_inputs(*db, user.id, later).value();
    CHECK(in.recent_transfers == 1);  // the top-up alone
    // Two loans repaid: one ten minutes after it was taken, one after eight days.
    const auto add_loan = [&db, &user](const char* id, std::int64_t taken, std::int64_t closed) {
        db->exec("INSERT INTO loans (user_id, product, purpose, principal, interest, fee, "
                 "penalty_rate, term_days, state, disbursement, created_at, due_at, closed_at) "
                 "VALUES (" + std::to_string(user.id) + ", 'standard', 'business', 50000, "
                 "5000, 5000, 500, 30, 'repaid', '" + id + "', " + std::to_string(taken) + ", " +
                 std::to_string(taken + 30 * 86'400) + ", " + std::to_string(closed) + ")");
    };
    const std::int64_t at = unix_seconds(start);
    add_loan("quick", at, at + 600);
    CHECK(gather_score_inputs(*db, user.id, later).value().loans_on_time == 0);
    add_loan("kept", at, at + 8 * 86'400);
    CHECK(gather_score_inputs(*db, user.id, start + std::chrono::days{9}).value().loans_on_time ==
          1);
    // The minimum is the operator's (loans.score_repaid_days_min): at 0 the quick one counts.
    db->score_rules.repaid_days_min = 0;
    CHECK(gather_score_inputs(*db, user.id, start + std::chrono::days{9}).value().loans_on_time ==
          2);
    db->score_rules = ScoreRules{};

    // Whatever the score, no limit before the tenure and the weeks of saving.
    LoanSettings settings;
    settings.limits = {{0, 200'000}};
    CHECK(loan_limit(*db, user.id, settings, later).value() == 0);
    settings.min_tenure_days = 0;
    CHECK(loan_limit(*db, user.id, settings, later).value() == 0);  // one week of saving only
    settings.min_saving_weeks = 1;
    CHECK(loan_limit(*db, user.id, settings, later).value() == 200'000);
}
