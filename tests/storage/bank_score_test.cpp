// The credit score: its components from plain inputs, its reasons in both languages, and the
// inputs gathered from the book with times passed in.
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

bool gsm7_basic(const std::string& text) {
    for (const char c : text) {
        if (c != '\n' && (c < ' ' || c > '~')) return false;
    }
    return true;
}

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

TEST_CASE("reasons fit the score screen in English and Kiswahili") {
    // Goal: short, GSM-7, localized reasons. Method: typical and widest values in each language.
    const ScoreInputs typical{6, 2, 0, 6, 200};
    const std::string en = score_reasons(compute_score(typical), typical, Language::en);
    CHECK(en == "Savings: 30/40 (6 of 8 weeks)\nLoans: 30/30 (2/2 on time)\n"
                "Activity: 12/20 (6 in 30 days)\nTenure: 10/10 (200 days)");
    const std::string sw = score_reasons(compute_score(typical), typical, Language::sw);
    CHECK(sw.starts_with("Akiba: 30/40 (wiki 6 kati ya 8)\nMikopo: 30/30 (2/2 kwa wakati)"));
    CHECK(score_reasons(compute_score({}), {}, Language::sw).find("bado hujakopa") !=
          std::string::npos);
    const ScoreInputs widest{8, 999, 999, 9'999, 99'999};
    for (const Language language : {Language::en, Language::sw}) {
        const std::string text = score_reasons(compute_score(widest), widest, language);
        CHECK(text.size() <= score_reasons_chars_max);
        CHECK(gsm7_basic(text));
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
