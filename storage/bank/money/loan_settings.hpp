// Loan products and the credit-score-to-limit table: the lending policy an operator sets in
// config (`loans:` in examples/hodi.yaml). Percentages are basis points so that no amount is
// ever computed in floating point.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "storage/bank/money/money.hpp"

namespace hodi::storage {

using BasisPoints = int;  ///< 1/100 of a percent: 1000 is 10%
inline constexpr BasisPoints basis_points_whole = 10'000;  ///< 100%

struct LoanProduct {
    std::string name = "standard";
    Cents min = 50'000;            ///< KES 500
    Cents max = 5'000'000;         ///< KES 50,000
    int term_days = 30;            ///< due this many days after disbursement
    BasisPoints interest = 1000;   ///< flat, on the principal, charged once
    Cents fee = 5'000;             ///< KES 50, charged once at disbursement
    BasisPoints penalty = 500;     ///< of what is still owed, charged once when overdue
    int open_loans_max = 1;        ///< loans a user may hold at once under this product
};

// A user whose score is at least `score_min` may borrow up to `limit`; the row with the
// highest score_min not above the user's score applies. Rows are kept sorted by score_min.
struct ScoreLimit {
    int score_min = 0;
    Cents limit = 0;
};

struct LoanSettings {
    std::vector<LoanProduct> products{LoanProduct{}};
    std::vector<ScoreLimit> limits{
        {0, 0}, {20, 50'000}, {40, 200'000}, {60, 500'000}, {80, 2'000'000}, {90, 5'000'000}};

    // No limit at all before a subscriber has been registered this many days and saved in
    // this many distinct weeks (of the score's last 8), whatever the score says: a number
    // registered minutes ago must not borrow on points bought that day.
    int min_tenure_days = 30;
    int min_saving_weeks = 3;
    // A loan repaid sooner than this many days after it was taken earns no repayment points
    // (the Store applies it: StoreSettings::score_rules).
    int score_repaid_days_min = 7;

    // The product loan.apply lends under: the first one listed. (The menu offers one product;
    // a product choice would pick by name.) A settings object always has at least one.
    const LoanProduct& product() const { return products.front(); }

    // What a score may borrow: the table's row for it, never above the product's max.
    Cents limit_for_score(int score) const {
        Cents limit = 0;
        for (const ScoreLimit& row : limits) {
            if (row.score_min <= score) limit = row.limit;
        }
        return std::min(limit, product().max);
    }
};

// `percent` of `amount`, rounded down to the cent.
inline Cents percent_of(Cents amount, BasisPoints rate) {
    return amount * rate / basis_points_whole;
}

}  // namespace hodi::storage
