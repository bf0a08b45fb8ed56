// Dispatches catalogue actions to PIN checks and Store jobs, and maps results to outcomes.
#include "storage/bank/actions/bank_actions.hpp"

#include <spdlog/spdlog.h>

#include "storage/action_catalogue.hpp"
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/money/transfer_kinds.hpp"

namespace hodi::storage {

namespace {

using engine::ActionRequest;
using engine::ActionResult;

std::string arg(const engine::Variables& args, std::string_view name) {
    const auto found = args.find(name);
    return found == args.end() ? std::string{} : found->second;
}

// A store failure: the menu shows its error screen; the cause goes to the log.
ActionResult failed(std::string_view action, const boost::system::error_code& error) {
    spdlog::warn("bank action {} failed: {}", action, error.message());
    return {"error", {}};
}

ActionResult answer(std::string_view action, boost::system::result<ActionResult> result) {
    return result ? std::move(*result) : failed(action, result.error());
}

DbFn<ActionResult> verified_for(const User&) {
    return [](Connection&) -> boost::system::result<ActionResult> {
        return ActionResult{"ok", {{"tries_left", std::to_string(pin_tries_per_stage)}}};
    };
}
DbFn<ActionResult> balance_for(const User& user) { return balance_job(user.phone); }
DbFn<ActionResult> statement_for(const User& user) { return statement_job(user.phone); }

net::awaitable<ActionResult> answer_now(std::string outcome) {
    co_return ActionResult{std::move(outcome), {}};
}

net::awaitable<ActionResult> answer_late(std::string action) {
    spdlog::warn("bank action {} not started: its hop's deadline had passed", action);
    co_return ActionResult{"error", {}};
}

}  // namespace

BankActions::BankActions(Bank& bank, Clock clock, LoanSettings loans,
                         std::shared_ptr<const SessionSealer> sealer,
                         int prompts_per_phone_per_hour)
    : bank_(bank),
      clock_(std::move(clock)),
      loans_(std::move(loans)),
      sealer_(sealer ? std::move(sealer)
                     : std::make_shared<const SessionSealer>(SessionSealer::random())),
      prompts_per_phone_per_hour_(prompts_per_phone_per_hour) {}

const std::vector<engine::ActionSpec>& BankActions::specs() const { return builtin_action_specs(); }

// Not a coroutine itself: it hands back the awaitable of the one that does the work, so that
// an action costs one coroutine frame, not two. The reads every session makes get a coroutine
// of their own whose frame is small enough for asio to recycle (it keeps frames up to about
// 1 KB per thread; the dispatchers below, holding every branch's locals, are larger).
net::awaitable<engine::ActionResult> BankActions::run(ActionRequest request,
                                                      ActionContext context) {
    const std::string_view name = request.name;
    // The subscriber already has the hop's END: work started now would happen unseen.
    if (std::chrono::steady_clock::now() >= context.deadline) {
        return answer_late(std::move(request.name));
    }
    if (name == "user.lookup") {
        return answer_read(std::move(request.name), lookup_job(context.phone));
    }
    if (name == "pin.session") {
        return answer_now(authority(request.args, context).proven ? "verified" : "ask");
    }
    // The subscriber's private reads show only to a session that verified the PIN.
    const bool private_read =
        name == "savings.list" || name == "loan.limit" || name == "loan.status" || name == "score";
    if (private_read && !authority(request.args, context).proven) {
        return answer_now("unverified");
    }
    if (name == "savings.list") {
        return answer_read(std::move(request.name), goals_job(context.phone));
    }
    if (name.starts_with("pin.") || name == "language.set") {
        return run_pin_action(std::move(request), std::move(context));
    }
    if (name.starts_with("savings.")) {
        return run_savings_action(std::move(request), std::move(context));
    }
    if (name.starts_with("loan.") || name == "score") {
        return run_loan_action(std::move(request), std::move(context));
    }
    return run_money_action(std::move(request), std::move(context));
}

net::awaitable<ActionResult> BankActions::answer_read(std::string action, DbFn<ActionResult> job) {
    co_return answer(action, co_await bank_.store().read(std::move(job)));
}

namespace {

// The unlocked work of a guarded action: runs the job and keeps its answer in `answer`, read
// back on the awaiting coroutine once the write has completed. A plain function, not a lambda
// inside co_await (see bank_action_jobs.hpp).
Bank::Unlocked unlock(BankActions::GuardedJob job,
                      std::shared_ptr<boost::system::result<ActionResult>> answer) {
    return [job = std::move(job), answer](Connection& db,
                                          const User& user) -> boost::system::result<void> {
        *answer = job(user)(db);
        if (!*answer) return answer->error();
        return {};
    };
}

}  // namespace

BankActions::Authority BankActions::authority(const engine::Variables& args,
                                              const ActionContext& context) const {
    if (sealer_->proves_pin_verified(arg(args, "verified"), context.session_id, context.phone)) {
        return {true, {}};
    }
    return {false, arg(args, "pin")};
}

net::awaitable<boost::system::result<ActionResult>> BankActions::guarded(std::string phone,
                                                                         Authority authority,
                                                                         GuardedJob job,
                                                                         PinDeadline deadline) {
    // No PIN and no proof: nothing to check, and nothing to count against the subscriber.
    if (!authority.proven && authority.pin.empty()) co_return ActionResult{"unverified", {}};
    auto answer = std::make_shared<boost::system::result<ActionResult>>(
        boost::system::in_place_error, make_error_code(BankError::store_failed));
    // Named locals and two statements, not a conditional inside co_await (g++ 12, above).
    Bank::Unlocked unlocked = unlock(std::move(job), answer);
    boost::system::result<PinCheck> check = make_error_code(BankError::store_failed);
    if (authority.proven) {
        check =
            co_await bank_.run_verified(std::move(phone), clock_(), std::move(unlocked), deadline);
    } else {
        check = co_await bank_.check_pin(std::move(phone), std::move(authority.pin), clock_(),
                                         std::move(unlocked), deadline);
    }
    if (!check) co_return check.error();
    switch (check->outcome) {
        case PinOutcome::ok:
            co_return std::move(*answer);
        case PinOutcome::locked:
            co_return ActionResult{"locked", {}};
        case PinOutcome::wrong_pin:
            co_return ActionResult{"wrong_pin",
                                   {{"tries_left", std::to_string(check->tries_left)}}};
        case PinOutcome::unregistered:
            break;
    }
    co_return ActionResult{"error", {}};
}

net::awaitable<ActionResult> BankActions::run_pin_action(ActionRequest request,
                                                         ActionContext context) {
    const std::string& name = request.name;
    const Seconds now = clock_();
    if (name == "language.set") {
        const auto language = engine::parse_language(arg(request.args, "language"));
        if (!language) co_return ActionResult{"error", {}};
        const bool proven = authority(request.args, context).proven;
        co_return answer(
            name, co_await bank_.store().write(language_job(context.phone, *language, proven)));
    }
    if (name == "pin.register") {
        // The first PIN was typed a hop earlier and reaches us sealed; the repeat opens it.
        std::string repeat = arg(request.args, "pin_repeat");
        std::string pin =
            sealer_->first_of_pair(arg(request.args, "pin"), context.session_id, repeat);
        auto registered =
            co_await bank_.register_pin(context.phone, std::move(pin), std::move(repeat),
                                        context.language, now, context.deadline);
        if (!registered) co_return failed(name, registered.error());
        static constexpr const char* outcomes[] = {"ok", "exists", "mismatch", "weak"};
        ActionResult answered{outcomes[static_cast<int>(*registered)], {}};
        // The PIN was just set, typed twice in this session: the session has proved it.
        if (*registered == PinChange::ok) {
            answered.outputs["pin_verified"] =
                sealer_->pin_verified_proof(context.session_id, context.phone);
        }
        co_return answered;
    }
    if (name == "pin.change") {
        // The current PIN was verified (pin.verify) when it was typed; the proof says so.
        if (!authority(request.args, context).proven) co_return ActionResult{"unverified", {}};
        std::string repeat = arg(request.args, "new_pin_repeat");
        std::string new_pin =
            sealer_->first_of_pair(arg(request.args, "new_pin"), context.session_id, repeat);
        auto changed = co_await bank_.replace_verified_pin(
            context.phone, std::move(new_pin), std::move(repeat), now, context.deadline);
        if (!changed) co_return failed(name, changed.error());
        static constexpr const char* outcomes[] = {"ok", "unverified", "mismatch", "weak"};
        co_return ActionResult{outcomes[static_cast<int>(*changed)], {}};
    }
    // pin.verify: a right PIN unlocks nothing but its answer and the session's proof of it. A
    // named local: g++ 12 destroys temporaries built inside a co_await expression twice.
    GuardedJob job = verified_for;
    Authority typed{false, arg(request.args, "pin")};
    ActionResult verified = answer(
        name, co_await guarded(context.phone, std::move(typed), std::move(job), context.deadline));
    if (verified.outcome == "ok") {
        verified.outputs["pin_verified"] =
            sealer_->pin_verified_proof(context.session_id, context.phone);
    }
    co_return verified;
}

net::awaitable<ActionResult> BankActions::run_money_action(ActionRequest request,
                                                           ActionContext context) {
    const std::string& name = request.name;
    if (name == "wallet.topup") {
        const auto amount = parse_shillings(arg(request.args, "amount"));
        if (!amount || *amount <= 0) co_return ActionResult{"error", {}};
        auto pending = co_await bank_.store().write(
            topup_job("topup:" + context.request_id, context.phone, *amount, clock_(),
                      prompts_per_phone_per_hour_));
        if (!pending) co_return failed(name, pending.error());
        // The catalogue's topup answers ok once the prompt is queued.
        if (pending->outcome == "pending") pending->outcome = "ok";
        co_return std::move(*pending);
    }
    if (name != "balance" && name != "statement") co_return ActionResult{"error", {}};
    // A named local: g++ 12 destroys temporaries built inside a co_await expression twice.
    GuardedJob job = name == "balance" ? balance_for : statement_for;
    Authority by = authority(request.args, context);
    co_return answer(
        name, co_await guarded(context.phone, std::move(by), std::move(job), context.deadline));
}

}  // namespace hodi::storage
