// The catalogue's contents. Amounts travel as shillings text ("1500" or "1500.50") and come
// back rendered ("1,500" or "1,500.50").
#include "storage/action_catalogue.hpp"

#include <algorithm>

#include "storage/bank/money/loans.hpp"

namespace hodi::storage {

namespace {

using engine::ActionParam;
using engine::ActionSpec;
using engine::ParamType;

ActionParam pin(const char* name = "pin") { return {name, ParamType::pin, true, {}}; }
// A guarded action is authorised by the PIN typed in its hop or by the session's proof of one
// (pin.verify's `pin_verified`): either may be given, and one of them must be good.
ActionParam typed_pin() { return {"pin", ParamType::pin, false, {}}; }
ActionParam proof(bool required = false) { return {"verified", ParamType::text, required, {}}; }
ActionParam amount() { return {"amount", ParamType::amount, true, {}}; }
ActionParam source() { return {"source", ParamType::choice, true, {"wallet", "mpesa"}}; }
ActionParam goal() { return {"goal", ParamType::digits, true, {}}; }

// Adds the outcomes every action shares: `error` always, for PIN-guarded actions `wrong_pin`
// (with tries_left) and `locked`, and for those taking a proof `unverified` (neither a PIN nor
// a good proof came), so menus may branch on them.
ActionSpec finish(ActionSpec spec) {
    auto add_outcome = [&spec](const char* outcome) {
        if (std::find(spec.outcomes.begin(), spec.outcomes.end(), outcome) == spec.outcomes.end()) {
            spec.outcomes.emplace_back(outcome);
        }
    };
    const bool takes_pin = std::any_of(spec.params.begin(), spec.params.end(),
                                       [](const auto& p) { return p.type == ParamType::pin; });
    const bool takes_proof = std::any_of(spec.params.begin(), spec.params.end(),
                                         [](const auto& p) { return p.name == "verified"; });
    if (takes_proof && spec.name != "pin.session") add_outcome("unverified");
    if (takes_pin) {
        add_outcome("wrong_pin");
        add_outcome("locked");
        if (std::find(spec.outputs.begin(), spec.outputs.end(), "tries_left") ==
            spec.outputs.end()) {
            spec.outputs.emplace_back("tries_left");
        }
    }
    add_outcome("error");
    return spec;
}

std::vector<ActionSpec> user_and_wallet_specs() {
    return {
        {"user.lookup", {}, {"registered", "unregistered"}, {"name", "language"}},
        // `pin_verified` is the session's proof of a right PIN, set by a registration and by
        // pin.verify: the guarded actions take it as `verified` instead of a PIN, so a PIN is
        // typed once per session and never kept. pin.session tells whether the session has one.
        {"pin.register",
         {pin(), pin("pin_repeat")},
         {"ok", "mismatch", "weak", "exists", "limited"},
         {"pin_verified"}},
        {"pin.verify", {pin()}, {"ok", "wrong_pin", "locked"}, {"tries_left", "pin_verified"}},
        {"pin.session", {proof()}, {"verified", "ask"}, {}},
        {"pin.change",
         {{"verified", ParamType::text, true, {}}, pin("new_pin"), pin("new_pin_repeat")},
         {"ok", "unverified", "mismatch", "weak"},
         {}},
        {"balance", {typed_pin(), proof()}, {"ok", "wrong_pin", "locked"}, {"balance"}},
        {"statement", {typed_pin(), proof()}, {"ok", "wrong_pin", "locked", "none"}, {"statement"}},
        {"wallet.topup", {amount()}, {"ok", "limited"}, {"amount"}},
        // A registered subscriber's saved choice changes only with the session's proof; a
        // caller not registered yet keeps it in the session until the registration stores it.
        {"language.set",
         {{"language", ParamType::choice, true, {"en", "sw"}}, proof()},
         {"ok"},
         {}},
    };
}

std::vector<ActionSpec> savings_specs() {
    return {
        {"savings.list", {proof(true)}, {"ok", "none"}, {"goals", "goal_count"}},
        {"savings.create",
         {{"name", ParamType::text, true, {}},
          {"target", ParamType::amount, true, {}},
          {"weeks", ParamType::digits, true, {}}},
         {"ok", "invalid"},
         {"goal", "target", "due_date"}},
        {"savings.deposit",
         {goal(), amount(), source(), typed_pin(), proof()},
         {"ok", "pending", "wrong_pin", "locked", "insufficient_funds", "no_goal"},
         {"saved", "target", "streak", "badge"}},
        {"savings.withdraw",
         {goal(), amount(), typed_pin(), proof()},
         {"ok", "wrong_pin", "locked", "insufficient_funds", "no_goal"},
         {"saved", "balance"}},
    };
}

std::vector<ActionSpec> loan_specs() {
    return {
        {"loan.limit", {proof(true)}, {"ok", "none"}, {"limit"}},
        {"loan.apply",
         {amount(),
          {"purpose", ParamType::choice, true, {loan_purposes.begin(), loan_purposes.end()}},
          typed_pin(),
          proof()},
         {"ok", "over_limit", "too_small", "has_open_loan", "wrong_pin", "locked"},
         {"amount", "total_due", "due_date", "limit", "min"}},
        // ok: open loans, none overdue; overdue: one is past due (a penalty has been charged);
        // repaid: nothing open and the latest loan was paid off; none: no loan at all.
        {"loan.status",
         {proof(true)},
         {"ok", "overdue", "repaid", "none"},
         {"balance_due", "due_date", "status"}},
        // amount: what was (or will be) paid, capped at what is owed.
        {"loan.repay",
         {amount(), source(), typed_pin(), proof()},
         {"ok", "pending", "wrong_pin", "locked", "insufficient_funds", "none"},
         {"amount", "balance_due"}},
        // no_history: no loan repaid or fallen due yet (see credit_score.hpp for the figures).
        {"score",
         {proof(true)},
         {"ok", "no_history"},
         {"score", "savings", "loans", "activity", "tenure", "weeks", "on_time", "moves", "days"}},
    };
}

std::vector<ActionSpec> build_specs() {
    std::vector<ActionSpec> specs;
    for (auto group : {user_and_wallet_specs(), savings_specs(), loan_specs()}) {
        for (ActionSpec& spec : group) specs.push_back(finish(std::move(spec)));
    }
    return specs;
}

}  // namespace

const std::vector<engine::ActionSpec>& builtin_action_specs() {
    // A function-local static: built on first use, thread-safe by the language's rules.
    static const std::vector<engine::ActionSpec> specs = build_specs();
    return specs;
}

const engine::ActionSpec* find_action_spec(std::string_view name) {
    for (const engine::ActionSpec& spec : builtin_action_specs()) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

}  // namespace hodi::storage
