// Savings goals in SQL.
#include "storage/bank/money/savings.hpp"

#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

constexpr const char* goal_columns =
    "SELECT g.id, g.number, g.name, g.target, g.due_at, g.account, a.balance "
    "FROM savings_goals g JOIN accounts a ON a.id = g.account ";

SavingsGoal read_goal(Prepared& query) {
    SavingsGoal goal;
    goal.id = query.getColumn(0).getInt64();
    goal.number = query.getColumn(1).getInt();
    goal.name = query.getColumn(2).getString();
    goal.target = query.getColumn(3).getInt64();
    goal.due_at = Seconds{std::chrono::seconds{query.getColumn(4).getInt64()}};
    goal.account = query.getColumn(5).getInt64();
    goal.saved = query.getColumn(6).getInt64();
    return goal;
}

std::optional<SavingsGoal> goal_named(Connection& db, std::int64_t user_id, std::string_view name) {
    Prepared query(db, std::string(goal_columns) + "WHERE g.user_id = ? AND g.name = ?");
    query.bind(1, user_id);
    query.bind(2, std::string(name));
    if (!query.executeStep()) return std::nullopt;
    return read_goal(query);
}

}  // namespace

boost::system::result<GoalCreation> create_goal(Connection& db, std::int64_t user_id,
                                                std::string_view phone, std::string_view name,
                                                Cents target, int weeks, Seconds now) {
    if (name.empty() || name.size() > goal_name_chars_max || target <= 0 ||
        target > transfer_cents_max || weeks < 1 || weeks > goal_weeks_max) {
        return GoalCreation{GoalProblem::invalid, {}};
    }
    if (auto existing = goal_named(db, user_id, name)) return GoalCreation{{}, *existing};
    Prepared counted(db, "SELECT count(*) FROM savings_goals WHERE user_id = ?");
    counted.bind(1, user_id);
    counted.executeStep();
    const int count = counted.getColumn(0).getInt();
    if (static_cast<std::size_t>(count) >= goals_per_user_max) {
        return GoalCreation{GoalProblem::too_many, {}};
    }
    const int number = count + 1;
    const std::string code = "savings:" + std::string(phone) + ":" + std::to_string(number);
    auto account = open_account(db, code, "savings", user_id, 0, now);
    if (!account) return account.error();
    const Seconds due = now + std::chrono::weeks{weeks};
    Prepared insert(db,
                    "INSERT INTO savings_goals (user_id, number, name, target, due_at, "
                    "account, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, user_id);
    insert.bind(2, number);
    insert.bind(3, std::string(name));
    insert.bind(4, target);
    insert.bind(5, unix_seconds(due));
    insert.bind(6, *account);
    insert.bind(7, unix_seconds(now));
    insert.exec();
    return GoalCreation{{}, {db.getLastInsertRowid(), number, std::string(name), target, due,
                             *account, 0}};
}

boost::system::result<std::optional<std::vector<SavingsGoal>>> list_goals(Connection& db,
                                                                          std::string_view phone) {
    // From the user outwards, so that a subscriber with no goal still answers one row.
    Prepared query(db,
                   "SELECT g.id, g.number, g.name, g.target, g.due_at, g.account, a.balance "
                   "FROM users u LEFT JOIN savings_goals g ON g.user_id = u.id "
                   "LEFT JOIN accounts a ON a.id = g.account "
                   "WHERE u.phone = ? ORDER BY g.number");
    query.bind(1, std::string(phone));
    if (!query.executeStep()) return std::optional<std::vector<SavingsGoal>>{};
    std::vector<SavingsGoal> goals;
    if (!query.getColumn(0).isNull()) {
        do {
            goals.push_back(read_goal(query));
        } while (query.executeStep());
    }
    return std::optional{std::move(goals)};
}

boost::system::result<std::optional<SavingsGoal>> find_goal(Connection& db, std::int64_t user_id,
                                                            int number) {
    Prepared query(db, std::string(goal_columns) + "WHERE g.user_id = ? AND g.number = ?");
    query.bind(1, user_id);
    query.bind(2, number);
    if (!query.executeStep()) return std::optional<SavingsGoal>{};
    return std::optional<SavingsGoal>{read_goal(query)};
}

boost::system::result<int> deposit_streak_weeks(Connection& db, const SavingsGoal& goal,
                                                Seconds now) {
    // Week numbers counted back from now: 0 is this week, 1 the week before, ...
    Prepared query(db,
                   "SELECT DISTINCT (?1 - created_at) / 604800 AS week FROM transfers "
                   "WHERE credit_account = ?2 AND state = 'posted' AND created_at <= ?1 "
                   "ORDER BY week");
    query.bind(1, unix_seconds(now));
    query.bind(2, goal.account);
    int streak = 0;
    while (query.executeStep() && query.getColumn(0).getInt64() == streak) ++streak;
    return streak;
}

std::string_view goal_badge(const SavingsGoal& goal) {
    if (goal.saved >= goal.target) return "gold";
    if (goal.saved * 2 >= goal.target) return "silver";
    if (goal.saved * 4 >= goal.target) return "bronze";
    return "";
}

}  // namespace hodi::storage
