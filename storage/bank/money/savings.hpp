// Savings goals: a named target with a due date, backed by its own ledger account. Money moves
// between the wallet and a goal only as ledger transfers. Runs inside the caller's transaction.
#pragma once

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/ledger.hpp"

namespace hodi::storage {

inline constexpr std::size_t goal_name_chars_max = 20;  ///< fits one line of a USSD screen
inline constexpr int goal_weeks_max = 104;
inline constexpr std::size_t goals_per_user_max = 9;  ///< one keypad digit each

struct SavingsGoal {
    std::int64_t id = 0;
    int number = 0;  ///< 1-based, as the user picks it on the keypad
    std::string name;
    Cents target = 0;
    Seconds due_at{};
    AccountId account = 0;
    Cents saved = 0;  ///< the goal account's balance
};

enum class GoalProblem : std::uint8_t { none, invalid, too_many };

// Creates goal number N+1 for the user; a goal of the same name is returned as is (a repeated
// hop creates nothing twice). `problem` is invalid for an empty or long name, a target outside
// (0, transfer_cents_max], or weeks outside 1..goal_weeks_max; too_many past the keypad.
struct GoalCreation {
    GoalProblem problem = GoalProblem::none;
    SavingsGoal goal;
};
boost::system::result<GoalCreation> create_goal(Connection& db, std::int64_t user_id,
                                                std::string_view phone, std::string_view name,
                                                Cents target, int weeks, Seconds now);

// The subscriber's goals in number order, with what each holds, in one statement (the hop
// that shows them reads nothing else); nullopt when no subscriber has this phone.
boost::system::result<std::optional<std::vector<SavingsGoal>>> list_goals(Connection& db,
                                                                          std::string_view phone);
boost::system::result<std::optional<SavingsGoal>> find_goal(Connection& db, std::int64_t user_id,
                                                            int number);

// Weeks in a row, ending with the week of `now`, in which the goal received a deposit.
boost::system::result<int> deposit_streak_weeks(Connection& db, const SavingsGoal& goal,
                                                Seconds now);

// "" below a quarter of the target, then "bronze", "silver" (half), "gold" (reached).
std::string_view goal_badge(const SavingsGoal& goal);

}  // namespace hodi::storage
