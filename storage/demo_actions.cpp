// Fixed-data answers for every catalogued action; see demo_actions.hpp for the data.
#include "storage/demo_actions.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>

#include "storage/action_catalogue.hpp"
#include "storage/bank/money/credit_score.hpp"
#include "storage/bank/money/loan_settings.hpp"
#include "storage/bank/money/money.hpp"
#include "storage/bank/sql/unix_time.hpp"

namespace hodi::storage {

namespace {

using engine::ActionResult;
using engine::Language;
using engine::Variables;

inline constexpr std::string_view demo_pin = "1234";
inline constexpr Cents wallet_cents = 125'000;
inline constexpr Cents loan_limit_cents = 500'000;
inline constexpr Cents loan_due_cents = 110'000;
// The demo subscriber's credit-score record (a score of 62): 5 of 8 weeks saved, one loan
// repaid on time, 3 transfers this month, registered 18 days ago.
inline constexpr ScoreInputs demo_score_inputs{5, 1, 0, 3, 18};

struct DemoGoal {
    std::string_view name;
    Cents saved;
    Cents target;
};
inline constexpr std::array<DemoGoal, 2> demo_goals{{
    {"School fees", 300'000, 1'000'000},
    {"Chicken coop", 50'000, 200'000},
}};

std::string_view arg(const Variables& args, std::string_view name) {
    const auto found = args.find(name);
    return found == args.end() ? std::string_view() : std::string_view(found->second);
}

// "dd/mm/yyyy", `days` from today: due dates in the fixed answers.
std::string date_in_days(int days) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return format_date(now + std::chrono::days(days));
}

bool is_weak_pin(std::string_view pin) {
    return pin.size() < 4 || pin.find_first_not_of(pin.front()) == std::string_view::npos;
}

// Whether the session has proved the PIN (pin.verify's `pin_verified`, passed as `verified`).
bool session_proven(const Variables& args, const ActionContext& context,
                    const SessionSealer& sealer) {
    return sealer.proves_pin_verified(arg(args, "verified"), context.session_id, context.phone);
}

// The gate of every guarded action: nullopt when the session is proven or the PIN verifies.
std::optional<ActionResult> check_pin(const Variables& args, bool proven) {
    if (proven) return std::nullopt;
    if (arg(args, "pin").empty()) return ActionResult{"unverified", {}};
    if (arg(args, "pin") == demo_pin) return std::nullopt;
    return ActionResult{"wrong_pin", {{"tries_left", "2"}}};
}

// The gate of the private reads (goals, loan limit and status, score): a proven session only.
std::optional<ActionResult> check_proven(bool proven) {
    if (proven) return std::nullopt;
    return ActionResult{"unverified", {}};
}

const DemoGoal* find_goal(std::string_view index) {
    if (index == "1") return &demo_goals[0];
    if (index == "2") return &demo_goals[1];
    return nullptr;
}

ActionResult account_action(std::string_view name, const Variables& args,
                            const ActionContext& context, const SessionSealer& sealer,
                            bool proven) {
    const bool sw = context.language == Language::sw;
    if (name == "user.lookup") {
        if (context.phone.ends_with("0000")) return {"unregistered", {}};
        return {"registered", {{"name", "Amina"}, {"language", "en"}}};
    }
    if (name == "pin.register") {
        const std::string pin =
            sealer.first_of_pair(arg(args, "pin"), context.session_id, arg(args, "pin_repeat"));
        if (pin != arg(args, "pin_repeat")) return {"mismatch", {}};
        if (is_weak_pin(pin)) return {"weak", {}};
        return {"ok",
                {{"pin_verified", sealer.pin_verified_proof(context.session_id, context.phone)}}};
    }
    if (name == "pin.session") return {proven ? "verified" : "ask", {}};
    if (name == "pin.change") {
        if (!proven) return {"unverified", {}};
        const std::string new_pin = sealer.first_of_pair(arg(args, "new_pin"), context.session_id,
                                                         arg(args, "new_pin_repeat"));
        if (new_pin != arg(args, "new_pin_repeat")) return {"mismatch", {}};
        if (is_weak_pin(new_pin)) return {"weak", {}};
        return {"ok", {}};
    }
    if (name == "pin.verify") {
        if (auto refused = check_pin(args, false)) return *refused;
        return {"ok",
                {{"pin_verified", sealer.pin_verified_proof(context.session_id, context.phone)}}};
    }
    if (name == "balance") {
        if (auto refused = check_pin(args, proven)) return *refused;
        return {"ok", {{"balance", format_cents(wallet_cents)}}};
    }
    if (name == "statement") {
        if (auto refused = check_pin(args, proven)) return *refused;
        return {"ok",
                {{"statement", sw ? "03/06 Weka +500\n04/06 Akiba -200\n05/06 Mkopo +1,000\n"
                                    "06/06 Lipa -300\n07/06 Weka +250"
                                  : "03/06 Top up +500\n04/06 Saved -200\n05/06 Loan +1,000\n"
                                    "06/06 Repaid -300\n07/06 Top up +250"}}};
    }
    if (name == "wallet.topup") {
        const auto amount = parse_shillings(arg(args, "amount"));
        if (!amount || *amount <= 0) return {"error", {}};
        return {"ok", {{"amount", format_cents(*amount)}}};
    }
    if (name == "language.set") {
        const bool registered = !context.phone.ends_with("0000");
        if (registered && !proven) return {"unverified", {}};
        const std::string_view code = arg(args, "language");
        return {code == "en" || code == "sw" ? "ok" : "error", {}};
    }
    return {"error", {}};
}

ActionResult savings_action(std::string_view name, const Variables& args, bool proven) {
    if (name == "savings.list") {
        if (auto refused = check_proven(proven)) return *refused;
        std::string goals;
        for (std::size_t index = 0; index < demo_goals.size(); ++index) {
            const DemoGoal& goal = demo_goals[index];
            if (!goals.empty()) goals += '\n';
            goals += std::to_string(index + 1) + ". " + std::string(goal.name) + " " +
                     format_cents(goal.saved) + "/" + format_cents(goal.target);
        }
        return {"ok", {{"goals", goals}, {"goal_count", std::to_string(demo_goals.size())}}};
    }
    if (name == "savings.create") {
        const auto target = parse_shillings(arg(args, "target"));
        const std::string_view weeks = arg(args, "weeks");
        int week_count = 0;
        std::from_chars(weeks.data(), weeks.data() + weeks.size(), week_count);
        if (arg(args, "name").empty() || !target || *target <= 0 || week_count < 1 ||
            week_count > 104) {
            return {"invalid", {}};
        }
        return {"ok",
                {{"goal", std::string(arg(args, "name"))},
                 {"target", format_cents(*target)},
                 {"due_date", date_in_days(week_count * 7)}}};
    }
    const bool deposit = name == "savings.deposit";
    if (!deposit && name != "savings.withdraw") return {"error", {}};
    if (auto refused = check_pin(args, proven)) return *refused;
    const DemoGoal* goal = find_goal(arg(args, "goal"));
    if (goal == nullptr) return {"no_goal", {}};
    const auto amount = parse_shillings(arg(args, "amount"));
    if (!amount || *amount <= 0) return {"error", {}};
    if (deposit) {
        if (arg(args, "source") == "mpesa") return {"pending", {}};
        if (*amount > wallet_cents) return {"insufficient_funds", {}};
        return {"ok",
                {{"saved", format_cents(goal->saved + *amount)},
                 {"target", format_cents(goal->target)},
                 {"streak", "3"},
                 {"badge", "Bronze saver"}}};
    }
    if (*amount > goal->saved) return {"insufficient_funds", {}};
    return {"ok",
            {{"saved", format_cents(goal->saved - *amount)},
             {"balance", format_cents(wallet_cents + *amount)}}};
}

ActionResult loan_action(std::string_view name, const Variables& args, bool proven) {
    const bool read = name == "loan.limit" || name == "loan.status" || name == "score";
    if (auto refused = read ? check_proven(proven) : check_pin(args, proven)) return *refused;
    if (name == "loan.limit") return {"ok", {{"limit", format_cents(loan_limit_cents)}}};
    if (name == "loan.status") {
        return {"ok",
                {{"balance_due", format_cents(loan_due_cents)},
                 {"due_date", date_in_days(30)},
                 {"status", "open"}}};
    }
    if (name == "score") {
        ScoreAnswer answer = score_answer(compute_score(demo_score_inputs), demo_score_inputs);
        return {std::move(answer.outcome), std::move(answer.outputs)};
    }
    if (name != "loan.apply" && name != "loan.repay") return {"error", {}};
    const auto amount = parse_shillings(arg(args, "amount"));
    if (!amount || *amount <= 0) return {"error", {}};
    if (name == "loan.apply") {
        const LoanProduct product;
        if (*amount < product.min) return {"too_small", {{"min", format_cents(product.min)}}};
        if (*amount > loan_limit_cents) {
            return {"over_limit", {{"limit", format_cents(loan_limit_cents)}}};
        }
        return {"ok",
                {{"amount", format_cents(*amount)},
                 {"total_due",
                  format_cents(*amount + percent_of(*amount, product.interest) + product.fee)},
                 {"due_date", date_in_days(product.term_days)}}};
    }
    const Cents paid = std::min(*amount, loan_due_cents);
    if (arg(args, "source") == "mpesa") {
        return {"pending",
                {{"amount", format_cents(paid)}, {"balance_due", format_cents(loan_due_cents)}}};
    }
    if (paid > wallet_cents) return {"insufficient_funds", {}};
    return {"ok",
            {{"amount", format_cents(paid)}, {"balance_due", format_cents(loan_due_cents - paid)}}};
}

}  // namespace

const std::vector<engine::ActionSpec>& DemoActions::specs() const { return builtin_action_specs(); }

DemoActions::DemoActions(std::shared_ptr<const SessionSealer> sealer)
    : sealer_(sealer ? std::move(sealer)
                     : std::make_shared<const SessionSealer>(SessionSealer::random())) {}

engine::ActionResult DemoActions::answer(const engine::ActionRequest& request,
                                         const ActionContext& context,
                                         const SessionSealer& sealer) {
    const std::string_view name = request.name;
    const bool proven = session_proven(request.args, context, sealer);
    if (name.starts_with("savings.")) return savings_action(name, request.args, proven);
    if (name.starts_with("loan.") || name == "score") {
        return loan_action(name, request.args, proven);
    }
    return account_action(name, request.args, context, sealer, proven);
}

net::awaitable<engine::ActionResult> DemoActions::run(engine::ActionRequest request,
                                                      ActionContext context) {
    co_return answer(request, context, *sealer_);
}

}  // namespace hodi::storage
