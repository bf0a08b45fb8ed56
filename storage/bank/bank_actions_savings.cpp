// The savings.* actions of BankActions.
#include "storage/bank/bank_action_jobs.hpp"
#include "storage/bank/bank_actions.hpp"
#include "storage/bank/transfer_kinds.hpp"

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

}  // namespace

net::awaitable<engine::ActionResult> BankActions::run_savings_action(
    engine::ActionRequest request, ActionContext context) {
    const std::string& name = request.name;
    const Seconds now = clock_();
    if (name == "savings.list") {
        auto listed = co_await bank_.store().read(goals_job(context.phone));
        co_return listed ? std::move(*listed) : engine::ActionResult{"error", {}};
    }
    auto found = co_await bank_.store().read<std::optional<User>>(
        find_user_job_for_actions(context.phone));
    if (!found) co_return engine::ActionResult{"error", {}};
    if (!*found) co_return engine::ActionResult{"error", {}};
    const std::int64_t user_id = (*found)->id;
    if (name == "savings.create") {
        const auto target = parse_shillings(arg(request.args, "target"));
        const int weeks = small_number(arg(request.args, "weeks"));
        if (!target) co_return engine::ActionResult{"invalid", {}};
        auto created = co_await bank_.store().write(create_goal_job(
            user_id, context.phone, arg(request.args, "name"), *target, weeks, now));
        co_return created ? std::move(*created) : engine::ActionResult{"error", {}};
    }
    const auto amount = parse_shillings(arg(request.args, "amount"));
    const int number = small_number(arg(request.args, "goal"));
    if (!amount || *amount <= 0) co_return engine::ActionResult{"insufficient_funds", {}};
    engine::ActionResult refusal;
    auto user = co_await authorise(context.phone, arg(request.args, "pin"), &refusal);
    if (!user) co_return refusal;
    const bool deposit = name == "savings.deposit";
    if (deposit && arg(request.args, "source") == "mpesa") {
        auto pending = co_await bank_.store().write(
            mpesa_in_job("save:" + context.request_id,
                         "savings:" + context.phone + ":" + std::to_string(number), *amount,
                         std::string(transfer_kind::save), now));
        if (!pending && pending.error() == BankError::unknown_account) {
            co_return engine::ActionResult{"no_goal", {}};
        }
        co_return pending ? std::move(*pending) : engine::ActionResult{"error", {}};
    }
    auto moved = co_await bank_.store().write(goal_move_job(
        (deposit ? "save:" : "unsave:") + context.request_id, user_id, context.phone, number,
        *amount, deposit, now));
    co_return moved ? std::move(*moved) : engine::ActionResult{"error", {}};
}

}  // namespace hodi::storage
