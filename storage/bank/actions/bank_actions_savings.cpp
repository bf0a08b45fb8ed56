// The savings.* actions of BankActions.
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/actions/bank_actions.hpp"
#include "storage/bank/money/transfer_kinds.hpp"

namespace hodi::storage {

namespace {

std::string arg(const engine::Variables& args, std::string_view name) {
    const auto found = args.find(name);
    return found == args.end() ? std::string{} : found->second;
}

int small_number(std::string_view text) {
    int value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9' || value > 1'000) return -1;
        value = value * 10 + (c - '0');
    }
    return text.empty() ? -1 : value;
}

// A saving by M-Pesa into goal account `goal_code`: the STK push's pending transfer.
BankActions::GuardedJob mpesa_save_for(std::string transfer_id, std::string goal_code, Cents amount,
                                       Seconds now) {
    return [transfer_id = std::move(transfer_id), goal_code = std::move(goal_code), amount,
            now](const User&) {
        return mpesa_in_job(transfer_id, goal_code, amount, std::string(transfer_kind::save), now);
    };
}

BankActions::GuardedJob goal_move_for(std::string transfer_id, std::string phone, int number,
                                      Cents amount, bool into_goal, Seconds now) {
    return [transfer_id = std::move(transfer_id), phone = std::move(phone), number, amount,
            into_goal, now](const User& user) {
        return goal_move_job(transfer_id, user.id, phone, number, amount, into_goal, now);
    };
}

}  // namespace

net::awaitable<engine::ActionResult> BankActions::run_savings_action(engine::ActionRequest request,
                                                                     ActionContext context) {
    const std::string& name = request.name;
    const Seconds now = clock_();
    if (name == "savings.create") {
        auto found = co_await bank_.store().read<std::optional<User>>(
            find_user_job_for_actions(context.phone));
        if (!found || !*found) co_return engine::ActionResult{"error", {}};
        const auto target = parse_shillings(arg(request.args, "target"));
        const int weeks = small_number(arg(request.args, "weeks"));
        if (!target) co_return engine::ActionResult{"invalid", {}};
        auto created = co_await bank_.store().write(create_goal_job(
            (*found)->id, context.phone, arg(request.args, "name"), *target, weeks, now));
        co_return created ? std::move(*created) : engine::ActionResult{"error", {}};
    }
    const auto amount = parse_shillings(arg(request.args, "amount"));
    const int number = small_number(arg(request.args, "goal"));
    if (!amount || *amount <= 0) co_return engine::ActionResult{"insufficient_funds", {}};
    const bool deposit = name == "savings.deposit";
    const bool from_mpesa = deposit && arg(request.args, "source") == "mpesa";
    // A named local: g++ 12 destroys temporaries built inside a co_await expression twice.
    GuardedJob job = from_mpesa
                         ? mpesa_save_for("save:" + context.request_id,
                                          "savings:" + context.phone + ":" + std::to_string(number),
                                          *amount, now)
                         : goal_move_for((deposit ? "save:" : "unsave:") + context.request_id,
                                         context.phone, number, *amount, deposit, now);
    Authority by = authority(request.args, context);
    auto moved = co_await guarded(context.phone, std::move(by), std::move(job), context.deadline);
    if (from_mpesa && !moved && moved.error() == BankError::unknown_account) {
        co_return engine::ActionResult{"no_goal", {}};
    }
    co_return moved ? std::move(*moved) : engine::ActionResult{"error", {}};
}

}  // namespace hodi::storage
