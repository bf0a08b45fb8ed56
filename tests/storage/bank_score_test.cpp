// The credit score: its components from plain inputs, the figures the score action answers,
// and the inputs gathered from the book with times passed in.
#include "storage/bank/money/credit_score.hpp"

#include <doctest/doctest.h>

#include "storage/bank/money/book_check.hpp"
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
    // a user registered 40 days ago.
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
    const ScoreInputs in = gather_score_inputs(*db, user.id, now).value();
    CHECK(in.savings_weeks == 2);
    CHECK(in.recent_transfers == 3);
    CHECK(in.tenure_days == 40);
    CHECK(in.loans_on_time + in.loans_late == 0);
    const CreditScore score = recompute_score(*db, user.id, now).value();
    CHECK(score.score() == 10 + 15 + 6 + 2);
    CHECK(db->execAndGet("SELECT score FROM credit_scores WHERE user_id = " +
                         std::to_string(user.id))
              .getInt() == score.score());
    CHECK(verify_book(*db).violations.empty());
}
