// The credit score: scoring, the figures the score action answers, and the SQL around them.
#include "storage/bank/money/credit_score.hpp"

#include <algorithm>

#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/money/transfer_kinds.hpp"

namespace hodi::storage {

namespace {

constexpr int savings_points_per_week = score_savings_max / score_savings_weeks;
constexpr int activity_points_per_transfer = 2;
constexpr std::int64_t seconds_per_week = 7 * seconds_per_day;

int count(Prepared& query) { return query.executeStep() ? query.getColumn(0).getInt() : 0; }

std::string part(int points, int max) {
    return std::to_string(points) + "/" + std::to_string(max);
}

}  // namespace

ScoreParts compute_score(const ScoreInputs& in) {
    ScoreParts parts;
    parts.savings = std::clamp(in.savings_weeks, 0, score_savings_weeks) * savings_points_per_week;
    const int judged = std::max(0, in.loans_on_time) + std::max(0, in.loans_late);
    parts.repayment = judged == 0 ? score_repayment_neutral
                                  : score_repayment_max * std::max(0, in.loans_on_time) / judged;
    parts.activity = std::clamp(in.recent_transfers * activity_points_per_transfer, 0,
                                score_activity_max);
    parts.tenure =
        std::clamp(in.tenure_days / score_tenure_days_per_point, 0, score_tenure_max);
    return parts;
}

ScoreAnswer score_answer(const ScoreParts& parts, const ScoreInputs& in) {
    const int judged = in.loans_on_time + in.loans_late;
    return ScoreAnswer{judged == 0 ? "no_history" : "ok",
                       {{"score", std::to_string(parts.total())},
                        {"savings", part(parts.savings, score_savings_max)},
                        {"loans", part(parts.repayment, score_repayment_max)},
                        {"activity", part(parts.activity, score_activity_max)},
                        {"tenure", part(parts.tenure, score_tenure_max)},
                        {"weeks", std::to_string(in.savings_weeks)},
                        {"on_time", part(in.loans_on_time, judged)},
                        {"moves", std::to_string(in.recent_transfers)},
                        {"days", std::to_string(in.tenure_days)}}};
}

boost::system::result<ScoreInputs> gather_score_inputs(Connection& db, std::int64_t user_id,
                                                       Seconds now) {
    const std::int64_t at = unix_seconds(now);
    Prepared user(db, "SELECT created_at FROM users WHERE id = ?");
    user.bind(1, user_id);
    if (!user.executeStep()) return make_error_code(BankError::unknown_user);
    ScoreInputs in;
    in.tenure_days = static_cast<int>(
        std::max<std::int64_t>(0, (at - user.getColumn(0).getInt64()) / seconds_per_day));

    Prepared weeks(db,
                   "SELECT count(DISTINCT (?1 - t.created_at) / ?2) FROM transfers t "
                   "JOIN accounts a ON a.id = t.credit_account "
                   "WHERE a.user_id = ?3 AND a.kind = 'savings' AND t.state = 'posted' "
                   "AND t.created_at <= ?1 AND t.created_at > ?1 - ?2 * ?4");
    weeks.bind(1, at);
    weeks.bind(2, seconds_per_week);
    weeks.bind(3, user_id);
    weeks.bind(4, score_savings_weeks);
    in.savings_weeks = count(weeks);

    // Late: seen overdue, open past due, or repaid after the due date.
    constexpr const char* late =
        "(overdue_at IS NOT NULL OR (state = 'open' AND due_at < ?2) OR "
        "(state = 'repaid' AND closed_at > due_at))";
    Prepared on_time(db, std::string("SELECT count(*) FROM loans WHERE user_id = ?1 "
                                     "AND state = 'repaid' AND closed_at - created_at >= ?3 "
                                     "AND NOT ") +
                             late);
    on_time.bind(1, user_id);
    on_time.bind(2, at);
    on_time.bind(3, static_cast<std::int64_t>(db.score_rules.repaid_days_min) * seconds_per_day);
    in.loans_on_time = count(on_time);
    Prepared late_loans(db,
                        std::string("SELECT count(*) FROM loans WHERE user_id = ?1 AND ") + late);
    late_loans.bind(1, user_id);
    late_loans.bind(2, at);
    in.loans_late = count(late_loans);

    // Exactly one side is the user's: the money crossed the user's boundary.
    Prepared recent(db,
                    "SELECT count(*) FROM transfers WHERE state = 'posted' AND kind <> ?4 "
                    "AND created_at <= ?1 AND created_at > ?1 - ?2 AND "
                    "(debit_account IN (SELECT id FROM accounts WHERE user_id = ?3)) <> "
                    "(credit_account IN (SELECT id FROM accounts WHERE user_id = ?3))");
    recent.bind(1, at);
    recent.bind(2, static_cast<std::int64_t>(score_activity_days) * seconds_per_day);
    recent.bind(3, user_id);
    recent.bind(4, std::string(transfer_kind::penalty));
    in.recent_transfers = count(recent);
    return in;
}

boost::system::result<CreditScore> current_score(Connection& db, std::int64_t user_id,
                                                 Seconds now) {
    auto inputs = gather_score_inputs(db, user_id, now);
    if (!inputs) return inputs.error();
    return CreditScore{*inputs, compute_score(*inputs)};
}

boost::system::result<CreditScore> recompute_score(Connection& db, std::int64_t user_id,
                                                   Seconds now) {
    auto computed = current_score(db, user_id, now);
    if (!computed) return computed.error();
    const CreditScore& score = *computed;
    Prepared store(db,
                   "INSERT INTO credit_scores (user_id, score, savings, repayment, "
                   "activity, tenure, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (user_id) DO UPDATE SET score = excluded.score, "
                   "savings = excluded.savings, repayment = excluded.repayment, "
                   "activity = excluded.activity, tenure = excluded.tenure, "
                   "updated_at = excluded.updated_at");
    store.bind(1, user_id);
    store.bind(2, score.score());
    store.bind(3, score.parts.savings);
    store.bind(4, score.parts.repayment);
    store.bind(5, score.parts.activity);
    store.bind(6, score.parts.tenure);
    store.bind(7, unix_seconds(now));
    store.exec();
    return score;
}

}  // namespace hodi::storage
