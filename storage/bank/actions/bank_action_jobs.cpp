// SQL for the catalogue actions: reads and ledger moves that answer ActionResults.
#include "storage/bank/actions/bank_action_jobs.hpp"

#include <chrono>
#include <cstdio>

#include "storage/bank/money/credit_score.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/money/savings.hpp"
#include "storage/bank/money/transfer_kinds.hpp"
#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

using engine::ActionResult;
using Result = boost::system::result<ActionResult>;

constexpr std::size_t statement_lines_max = 5;

// "21/11 -1,500 save": day/month, signed amount as the wallet saw it, and what it was for.
std::string statement_line(const Transfer& transfer, AccountId wallet) {
    const std::chrono::year_month_day day{
        std::chrono::floor<std::chrono::days>(transfer.created_at)};
    char date[8];
    std::snprintf(date, sizeof date, "%02u/%02u", static_cast<unsigned>(day.day()),
                  static_cast<unsigned>(day.month()));
    const Cents signed_amount = transfer.debit == wallet ? -transfer.amount : transfer.amount;
    return std::string(date) + (signed_amount > 0 ? " +" : " ") + format_cents(signed_amount) +
           " " + transfer.kind;
}

Result refuse(const char* outcome) { return ActionResult{outcome, {}}; }

// The phone an M-Pesa prompt goes to: the owner of the account the money is for.
boost::system::result<std::string> owner_phone(Connection& db, const Account& account) {
    if (!account.user_id) return make_error_code(BankError::unknown_account);
    Prepared query(db, "SELECT phone FROM users WHERE id = ?");
    query.bind(1, *account.user_id);
    if (!query.executeStep()) return make_error_code(BankError::unknown_user);
    return query.getColumn(0).getString();
}

}  // namespace

DbFn<std::optional<User>> find_user_job_for_actions(std::string phone) {
    return [phone = std::move(phone)](Connection& db) { return find_user(db, phone); };
}

ActionJob lookup_job(std::string phone) {
    return [phone = std::move(phone)](Connection& db) -> Result {
        auto greeting = find_greeting(db, phone);
        if (!greeting) return greeting.error();
        if (!*greeting || !(*greeting)->registered) return refuse("unregistered");
        return ActionResult{
            "registered",
            {{"name", std::move((*greeting)->name)},
             {"language", std::string(engine::language_code((*greeting)->language))}}};
    };
}

ActionJob language_job(std::string phone, engine::Language language, bool proven) {
    return [phone = std::move(phone), language, proven](Connection& db) -> Result {
        auto user = find_user(db, phone);
        if (!user) return user.error();
        // A caller not registered yet: the session keeps the choice and the registration
        // stores it. Choosing a language creates no row, so a flood of dials creates none.
        if (!*user) return refuse("ok");
        // A subscriber's saved choice is theirs to change, in a session that proved the PIN.
        if (!proven) return refuse("unverified");
        if (auto set = set_language(db, (*user)->id, language); !set) return set.error();
        return refuse("ok");
    };
}

ActionJob balance_job(std::string phone) {
    return [phone = std::move(phone)](Connection& db) -> Result {
        auto wallet = find_account(db, wallet_code(phone));
        if (!wallet) return wallet.error();
        auto account = load_account(db, *wallet);
        if (!account) return account.error();
        return ActionResult{"ok", {{"balance", format_cents(account->available())}}};
    };
}

ActionJob statement_job(std::string phone) {
    return [phone = std::move(phone)](Connection& db) -> Result {
        auto wallet = find_account(db, wallet_code(phone));
        if (!wallet) return wallet.error();
        auto transfers = recent_transfers(db, *wallet, statement_lines_max);
        if (!transfers) return transfers.error();
        if (transfers->empty()) return refuse("none");
        std::string text;
        for (const Transfer& transfer : *transfers) {
            if (!text.empty()) text.push_back('\n');
            text += statement_line(transfer, *wallet);
        }
        return ActionResult{"ok", {{"statement", std::move(text)}}};
    };
}

ActionJob mpesa_in_job(std::string transfer_id, std::string credit_code, Cents amount,
                       std::string kind, Seconds now) {
    return [transfer_id = std::move(transfer_id), credit_code = std::move(credit_code), amount,
            kind = std::move(kind), now](Connection& db) -> Result {
        auto credit = find_account(db, credit_code);
        if (!credit) return credit.error();
        auto clearing = find_account(db, SystemAccount::mpesa_clearing);
        if (!clearing) return clearing.error();
        auto pending =
            create_transfer(db, {transfer_id, *clearing, *credit, amount, kind, true}, now);
        if (!pending) return pending.error();
        // The STK push that collects the money is queued in this same transaction: the pending
        // transfer never exists without the prompt that will settle it.
        auto account = load_account(db, *credit);
        if (!account) return account.error();
        auto phone = owner_phone(db, *account);
        if (!phone) return phone.error();
        auto queued = enqueue_outbox(
            db, {OutboxKind::stk_push, transfer_id, std::move(*phone), amount, "hodi " + kind},
            now);
        if (!queued) return queued.error();
        return ActionResult{"pending", {{"amount", format_cents(amount)}}};
    };
}

ActionJob topup_job(std::string transfer_id, std::string phone, Cents amount, Seconds now,
                    int prompts_max) {
    return [transfer_id = std::move(transfer_id), phone = std::move(phone), amount, now,
            prompts_max](Connection& db) -> Result {
        Prepared seen(db, "SELECT count(*) FROM transfers WHERE id = ?");
        seen.bind(1, transfer_id);
        const bool repeat = seen.executeStep() && seen.getColumn(0).getInt() > 0;
        if (!repeat && prompts_max > 0) {
            Prepared prompts(db,
                             "SELECT count(*) FROM outbox WHERE kind = 'stk_push' AND "
                             "phone = ? AND created_at > ?");
            prompts.bind(1, phone);
            prompts.bind(2, unix_seconds(now) - 3'600);
            if (prompts.executeStep() &&
                prompts.getColumn(0).getInt() >= prompts_max) {
                return refuse("limited");
            }
        }
        return mpesa_in_job(transfer_id, wallet_code(phone), amount,
                            std::string(transfer_kind::topup), now)(db);
    };
}

ActionJob goals_job(std::string phone) {
    return [phone = std::move(phone)](Connection& db) -> Result {
        auto goals = list_goals(db, phone);
        if (!goals) return goals.error();
        if (!*goals || (*goals)->empty()) return refuse("none");
        std::string lines;
        for (const SavingsGoal& goal : **goals) {
            if (!lines.empty()) lines.push_back('\n');
            lines += std::to_string(goal.number) + ". " + goal.name + " " +
                     format_cents(goal.saved) + "/" + format_cents(goal.target);
        }
        return ActionResult{
            "ok", {{"goals", std::move(lines)}, {"goal_count", std::to_string((*goals)->size())}}};
    };
}

ActionJob create_goal_job(std::int64_t user_id, std::string phone, std::string name, Cents target,
                          int weeks, Seconds now) {
    return [user_id, phone = std::move(phone), name = std::move(name), target, weeks,
            now](Connection& db) -> Result {
        auto created = create_goal(db, user_id, phone, name, target, weeks, now);
        if (!created) return created.error();
        if (created->problem != GoalProblem::none) return refuse("invalid");
        return ActionResult{"ok",
                            {{"goal", created->goal.name},
                             {"target", format_cents(created->goal.target)},
                             {"due_date", format_date(created->goal.due_at)}}};
    };
}

ActionJob goal_move_job(std::string transfer_id, std::int64_t user_id, std::string phone,
                        int number, Cents amount, bool into_goal, Seconds now) {
    return [transfer_id = std::move(transfer_id), user_id, phone = std::move(phone), number, amount,
            into_goal, now](Connection& db) -> Result {
        auto goal = find_goal(db, user_id, number);
        if (!goal) return goal.error();
        if (!*goal) return refuse("no_goal");
        auto wallet = find_account(db, wallet_code(phone));
        if (!wallet) return wallet.error();
        const AccountId debit = into_goal ? *wallet : (*goal)->account;
        const AccountId credit = into_goal ? (*goal)->account : *wallet;
        const std::string_view kind = into_goal ? transfer_kind::save : transfer_kind::unsave;
        auto moved =
            create_transfer(db, {transfer_id, debit, credit, amount, std::string(kind)}, now);
        if (!moved && moved.error() == BankError::insufficient_funds) {
            return refuse("insufficient_funds");
        }
        if (!moved) return moved.error();
        if (auto score = recompute_score(db, user_id, now); !score) return score.error();
        // Re-read after the move (a replay returns the first transfer but today's balances).
        auto after = find_goal(db, user_id, number);
        if (!after || !*after) return make_error_code(BankError::store_failed);
        const SavingsGoal& updated = **after;
        if (!into_goal) {
            auto account = load_account(db, *wallet);
            if (!account) return account.error();
            return ActionResult{"ok",
                                {{"saved", format_cents(updated.saved)},
                                 {"balance", format_cents(account->available())}}};
        }
        auto streak = deposit_streak_weeks(db, updated, now);
        if (!streak) return streak.error();
        return ActionResult{"ok",
                            {{"saved", format_cents(updated.saved)},
                             {"target", format_cents(updated.target)},
                             {"streak", std::to_string(*streak)},
                             {"badge", std::string(goal_badge(updated))}}};
    };
}

}  // namespace hodi::storage
