// The credit score, 0..100: a pure function over plain inputs (unit-testable without SQL), the
// SQL that gathers those inputs and stores the result, and its reasons in the user's language.
//
//   savings    max 40: 5 per week, of the last 8, with at least one posted savings deposit
//   repayment  max 30: 30 x on-time / (on-time + late) over loans that are repaid or have
//              been overdue (late = repaid after the due date, or seen overdue at all); a user
//              with no such loan gets 15, the middle: no history is neither good nor bad
//   activity   max 20: 2 per posted transfer touching the user's accounts in the last 30 days
//   tenure     max 10: 1 per 18 days since registration (full after about six months)
#pragma once

#include <boost/system/result.hpp>
#include <string>

#include "engine/language.hpp"
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

struct ScoreInputs {
    int savings_weeks = 0;     ///< of the last score_savings_weeks, weeks with a deposit
    int loans_on_time = 0;     ///< repaid by the due date and never overdue
    int loans_late = 0;        ///< repaid late, or overdue (now or ever)
    int recent_transfers = 0;  ///< posted, touching the user's accounts, last 30 days
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

// Four short lines, one per component, GSM-7 only, e.g. "Savings: 30/40 (6 of 8 weeks)" or
// "Akiba: 30/40 (wiki 6 kati ya 8)". At most score_reasons_chars_max characters in all.
inline constexpr std::size_t score_reasons_chars_max = 130;
std::string score_reasons(const ScoreParts& parts, const ScoreInputs& inputs,
                          engine::Language language);

struct CreditScore {
    ScoreInputs inputs;
    ScoreParts parts;
    int score() const { return parts.total(); }
};

// Gathers the inputs as of `now` (SQL only; no side effects).
boost::system::result<ScoreInputs> gather_score_inputs(Connection& db, std::int64_t user_id,
                                                       Seconds now);

// Charges any overdue penalty (a penalty is a money event the score must see), gathers,
// computes and stores the user's credit_scores row. Call after every money event.
boost::system::result<CreditScore> recompute_score(Connection& db, std::int64_t user_id,
                                                   Seconds now);

}  // namespace hodi::storage
