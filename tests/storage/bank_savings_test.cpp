// Savings goals: creation rules, deposits and withdrawals as ledger transfers, streak, badge.
#include "storage/bank/money/savings.hpp"

#include <doctest/doctest.h>

#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/money/users.hpp"

namespace {

using namespace hodi::storage;
using namespace std::chrono_literals;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";

struct Saver {
    std::unique_ptr<Connection> db = open_connection(":memory:").value();
    User user;
    AccountId wallet = 0;

    Saver() {
        REQUIRE(migrate(*db).has_value());
        user = ensure_user(*db, phone, hodi::engine::Language::en, start).value();
        wallet = find_account(*db, wallet_code(phone)).value();
        const AccountId clearing = find_account(*db, SystemAccount::mpesa_clearing).value();
        REQUIRE(create_transfer(*db, {"topup", clearing, wallet, 100'000, "topup"}, start)
                    .has_value());
    }
    SavingsGoal goal(std::string_view name) {
        auto created = create_goal(*db, user.id, phone, name, 50'000, 10, start).value();
        REQUIRE(created.problem == GoalProblem::none);
        return created.goal;
    }
    boost::system::result<Transfer> save(const std::string& id, const SavingsGoal& goal,
                                         Cents amount, Seconds at) {
        return create_transfer(*db, {id, wallet, goal.account, amount, "save"}, at);
    }
};

}  // namespace

TEST_CASE("goals are numbered per user and a repeated creation returns the same goal") {
    // Goal: savings.create is safe to repeat. Method: create twice by name, then a second goal.
    Saver saver;
    const SavingsGoal school = saver.goal("School fees");
    CHECK(school.number == 1);
    CHECK(school.due_at == start + std::chrono::weeks{10});
    CHECK(saver.goal("School fees").id == school.id);
    CHECK(saver.goal("Bicycle").number == 2);
    REQUIRE(saver.save("bike", saver.goal("Bicycle"), 2'500, start).has_value());
    // In number order (not name order), each with what it holds.
    const std::vector<SavingsGoal> goals = *list_goals(*saver.db, phone).value();
    REQUIRE(goals.size() == 2);
    CHECK(goals[0].name == "School fees");
    CHECK(goals[0].saved == 0);
    CHECK(goals[1].number == 2);
    CHECK(goals[1].saved == 2'500);
    CHECK(list_goals(*saver.db, "+254700000000").value() == std::nullopt);
    CHECK(find_goal(*saver.db, saver.user.id, 3).value() == std::nullopt);
}

TEST_CASE("invalid goals are refused without writing") {
    // Goal: savings.create answers `invalid`. Method: each bad field in turn.
    Saver saver;
    const auto problem = [&](std::string_view name, Cents target, int weeks) {
        return create_goal(*saver.db, saver.user.id, phone, name, target, weeks, start)
            .value()
            .problem;
    };
    CHECK(problem("", 100, 4) == GoalProblem::invalid);
    CHECK(problem("A name far too long for a screen", 100, 4) == GoalProblem::invalid);
    CHECK(problem("Roof", 0, 4) == GoalProblem::invalid);
    CHECK(problem("Roof", 100, 0) == GoalProblem::invalid);
    CHECK(problem("Roof", 100, goal_weeks_max + 1) == GoalProblem::invalid);
    CHECK(list_goals(*saver.db, phone).value()->empty());
}

TEST_CASE("deposits and withdrawals move money between wallet and goal only") {
    // Goal: savings are ledger accounts. Method: save, overdraw both ways, withdraw, audit.
    Saver saver;
    const SavingsGoal goal = saver.goal("Roof");
    REQUIRE(saver.save("s1", goal, 30'000, start).has_value());
    CHECK(saver.save("s2", goal, 70'001, start).error() == BankError::insufficient_funds);
    CHECK(create_transfer(*saver.db, {"w1", goal.account, saver.wallet, 30'001, "unsave"}, start)
              .error() == BankError::insufficient_funds);
    REQUIRE(create_transfer(*saver.db, {"w2", goal.account, saver.wallet, 10'000, "unsave"},
                            start)
                .has_value());
    const SavingsGoal after = find_goal(*saver.db, saver.user.id, 1).value().value();
    CHECK(after.saved == 20'000);
    CHECK(load_account(*saver.db, saver.wallet).value().balance == 80'000);
    CHECK(verify_book(*saver.db).violations.empty());
}

TEST_CASE("the streak counts consecutive weeks with a deposit and badges follow progress") {
    // Goal: savings.deposit outputs. Method: deposits this week and the last two, a gap.
    Saver saver;
    SavingsGoal goal = saver.goal("Roof");
    CHECK(deposit_streak_weeks(*saver.db, goal, start).value() == 0);
    REQUIRE(saver.save("a", goal, 5'000, start - 3 * std::chrono::weeks{1}).has_value());
    REQUIRE(saver.save("b", goal, 5'000, start - std::chrono::weeks{1}).has_value());
    REQUIRE(saver.save("c", goal, 5'000, start).has_value());
    CHECK(deposit_streak_weeks(*saver.db, goal, start + 1h).value() == 2);
    goal.saved = 12'500;
    CHECK(goal_badge(goal) == "bronze");
    goal.saved = 25'000;
    CHECK(goal_badge(goal) == "silver");
    goal.saved = 50'000;
    CHECK(goal_badge(goal) == "gold");
    goal.saved = 12'499;
    CHECK(goal_badge(goal).empty());
}
