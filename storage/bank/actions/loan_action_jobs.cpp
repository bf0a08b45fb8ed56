// SQL for the loan and score actions: loans.hpp and credit_score.hpp, answered as outcomes.
#include "storage/bank/actions/loan_action_jobs.hpp"

#include "storage/bank/money/credit_score.hpp"

namespace hodi::storage {

namespace {

using engine::ActionResult;
using Result = boost::system::result<ActionResult>;

// What loan.status shows: the open loans together (balance, earliest due date), else the
// latest loan if it was repaid. An overdue loan shows the penalty it owes even before the sweep
// has charged it: a read shows what is due and moves nothing.
Result status_of(const std::vector<Loan>& loans, Seconds now) {
    Cents owed = 0;
    std::optional<Seconds> due;
    bool overdue = false;
    const Loan* last_repaid = nullptr;
    for (const Loan& loan : loans) {
        if (loan.state == LoanState::repaid) last_repaid = &loan;
        if (loan.state != LoanState::open && loan.state != LoanState::disbursing) continue;
        owed += loan.owed() + loan.penalty_due(now);
        due = due ? std::min(*due, loan.due_at) : loan.due_at;
        overdue = overdue || loan.overdue(now);
    }
    if (due) {
        const char* status = overdue ? "overdue" : "open";
        return ActionResult{overdue ? "overdue" : "ok",
                            {{"balance_due", format_cents(owed)},
                             {"due_date", format_date(*due)},
                             {"status", status}}};
    }
    if (last_repaid != nullptr) {
        return ActionResult{"repaid",
                            {{"balance_due", format_cents(0)},
                             {"due_date", format_date(last_repaid->due_at)},
                             {"status", "repaid"}}};
    }
    return ActionResult{"none", {}};
}

}  // namespace

ActionJob loan_limit_job(std::string phone, const LoanSettings* settings, Seconds now) {
    return [phone = std::move(phone), settings, now](Connection& db) -> Result {
        auto user = find_user(db, phone);
        if (!user) return user.error();
        if (!*user) return ActionResult{"none", {}};
        auto limit = loan_limit(db, (*user)->id, *settings, now);
        if (!limit) return limit.error();
        if (*limit < settings->product().min) return ActionResult{"none", {}};
        return ActionResult{"ok", {{"limit", format_cents(*limit)}}};
    };
}

ActionJob loan_apply_job(LoanRequest request, const LoanSettings* settings, Seconds now) {
    return [request = std::move(request), settings, now](Connection& db) -> Result {
        auto applied = apply_for_loan(db, request, *settings, now);
        if (!applied) return applied.error();
        switch (applied->decision) {
            case LoanDecision::has_open_loan:
                return ActionResult{"has_open_loan", {}};
            case LoanDecision::too_small:
                return ActionResult{"too_small", {{"min", format_cents(settings->product().min)}}};
            case LoanDecision::over_limit:
                return ActionResult{"over_limit", {{"limit", format_cents(applied->limit)}}};
            case LoanDecision::approved:
                break;
        }
        const Loan& loan = applied->loan;
        return ActionResult{"ok",
                            {{"amount", format_cents(loan.principal)},
                             {"total_due", format_cents(loan.total())},
                             {"due_date", format_date(loan.due_at)}}};
    };
}

ActionJob loan_status_job(std::string phone, Seconds now) {
    return [phone = std::move(phone), now](Connection& db) -> Result {
        auto user = find_user(db, phone);
        if (!user) return user.error();
        if (!*user) return ActionResult{"none", {}};
        auto loans = user_loans(db, (*user)->id);
        if (!loans) return loans.error();
        return status_of(*loans, now);
    };
}

ActionJob loan_repay_job(std::int64_t user_id, std::string phone, std::string transfer_id,
                         Cents amount, bool mpesa, Seconds now) {
    return [user_id, phone = std::move(phone), transfer_id = std::move(transfer_id), amount, mpesa,
            now](Connection& db) -> Result {
        auto repaid = repay_loans(db, user_id, phone, transfer_id, amount, mpesa, now);
        if (!repaid) return repaid.error();
        static constexpr const char* outcomes[] = {"ok", "pending", "insufficient_funds", "none"};
        return ActionResult{outcomes[static_cast<int>(repaid->outcome)],
                            {{"amount", format_cents(repaid->amount)},
                             {"balance_due", format_cents(repaid->owed)}}};
    };
}

ActionJob score_job(std::string phone, Seconds now) {
    return [phone = std::move(phone), now](Connection& db) -> Result {
        auto user = find_user(db, phone);
        if (!user) return user.error();
        CreditScore score;  // no user yet: the empty record's score
        score.parts = compute_score(score.inputs);
        if (*user) {
            auto computed = current_score(db, (*user)->id, now);
            if (!computed) return computed.error();
            score = *computed;
        }
        ScoreAnswer answer = score_answer(score.parts, score.inputs);
        return ActionResult{std::move(answer.outcome), std::move(answer.outputs)};
    };
}

}  // namespace hodi::storage
