// The credit score, 0..100: a pure function over plain inputs (unit-testable without SQL), the
// SQL that gathers those inputs and stores the result, and the figures the `score` action sets
// (the menu owns the words around them).
//
//   savings    max 40: 5 per week, of the last 8, with at least one posted savings deposit
//   repayment  max 30: 30 x on-time / (on-time + late) over loans that are repaid or have
//              been overdue (late = repaid after the due date, or seen overdue at all); a user
//              with no such loan gets 15, the middle: no history is neither good nor bad
//   activity   max 20: 2 per posted transfer touching the user's accounts in the last 30 days,
//              penalties aside (being charged one is not activity, and a read that shows the
//              score before the sweep has charged it must show the same score after)
//   tenure     max 10: 1 per 18 days since registration (full after about six months)
#pragma once

#include <boost/system/result.hpp>
#include <string>

#include "engine/action.hpp"
#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/ledger.hpp"

namespace hodi::storage {

inline constexpr int score_savings_max = 40;
inline constexpr int score_repayment_max = 30;
inline constexpr int score_repayment_neutral = 15;
inline constexpr int score_activity_max = 20;
inline constexpr int score_tenure_max = 10;
inline constexpr int score_savings_weeks = 8;
inline constexpr int score_activity_days = 30;
inline constexpr int score_tenure_days_per_point = 18;
// A loan repaid sooner than ScoreRules::repaid_days_min (loans.score_repaid_days_min, default
// 7) after it was taken is neither on time nor late for the score: borrowing and repaying
// within minutes shows nothing about repaying, and once earned points.

struct ScoreInputs {
    int savings_weeks = 0;     ///< of the last score_savings_weeks, weeks with a deposit
    int loans_on_time = 0;     ///< repaid by the due date and never overdue
    int loans_late = 0;        ///< repaid late, or overdue (now or ever)
    // Posted in the last 30 days, money crossing the user's own accounts (M-Pesa in and out,
    // loan payouts and repayments, fees): moves between the user's own wallet and goals are
    // not activity, or round trips of KES 10 would buy points.
    int recent_transfers = 0;
    int tenure_days = 0;       ///< since registration
};

struct ScoreParts {
    int savings = 0;
    int repayment = 0;
    int activity = 0;
    int tenure = 0;

    int total() const { return savings + repayment + activity + tenure; }
};

ScoreParts compute_score(const ScoreInputs& inputs);

// What the `score` action answers: outcome "ok", or "no_history" while no loan has been repaid
// or fallen due (the repayment part is then the neutral middle), and these figures, digits and
// slashes only, for the menu to put into words in the subscriber's language:
//   score 62     savings 25/40   loans 30/30   activity 6/20   tenure 1/10   (points / max)
//   weeks 5      (of the last score_savings_weeks with a deposit)
//   on_time 1/1  (loans repaid on time / loans judged)
//   moves 3      (transfers in the last score_activity_days)
//   days 18      (since registration)
struct ScoreAnswer {
    std::string outcome;
    engine::Variables outputs;
};
ScoreAnswer score_answer(const ScoreParts& parts, const ScoreInputs& inputs);

struct CreditScore {
    ScoreInputs inputs;
    ScoreParts parts;
    int score() const { return parts.total(); }
};

// Gathers the inputs as of `now` (SQL only; no side effects).
boost::system::result<ScoreInputs> gather_score_inputs(Connection& db, std::int64_t user_id,
                                                       Seconds now);

// The user's score as of `now`, computed and not stored: what a read shows. An open loan past
// due counts as late whether or not the sweep has charged its penalty yet.
boost::system::result<CreditScore> current_score(Connection& db, std::int64_t user_id,
                                                 Seconds now);

// current_score, stored as the user's credit_scores row. Call after every money event. Moves no
// money: penalties are charged by the overdue sweep and by repayments, never by a score.
boost::system::result<CreditScore> recompute_score(Connection& db, std::int64_t user_id,
                                                   Seconds now);

}  // namespace hodi::storage
