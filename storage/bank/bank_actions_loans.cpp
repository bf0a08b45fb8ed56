// The loan.* and score actions of BankActions.
#include "storage/bank/bank_actions.hpp"
#include "storage/bank/loan_action_jobs.hpp"

#include <spdlog/spdlog.h>

namespace hodi::storage {

namespace {

std::string arg(const engine::Variables& args, std::string_view name) {
    const auto found = args.find(name);
    return found == args.end() ? std::string{} : found->second;
}

engine::ActionResult answer(std::string_view action,
                            boost::system::result<engine::ActionResult> result) {
    if (result) return std::move(*result);
    spdlog::warn("bank action {} failed: {}", action, result.error().message());
    return {"error", {}};
}

}  // namespace

net::awaitable<engine::ActionResult> BankActions::run_loan_action(engine::ActionRequest request,
                                                                  ActionContext context) {
    const std::string& name = request.name;
    const Seconds now = clock_();
    if (name == "loan.limit") {
        co_return answer(name, co_await bank_.store().write(
                                   loan_limit_job(context.phone, &loans_, now)));
    }
    if (name == "loan.status") {
        co_return answer(name, co_await bank_.store().write(loan_status_job(context.phone, now)));
    }
    if (name == "score") {
        co_return answer(name, co_await bank_.store().write(
                                   score_job(context.phone, context.language, now)));
    }
    if (name != "loan.apply" && name != "loan.repay") co_return engine::ActionResult{"error", {}};
    const auto amount = parse_shillings(arg(request.args, "amount"));
    const std::string purpose = arg(request.args, "purpose");
    if (!amount || *amount <= 0) co_return engine::ActionResult{"error", {}};
    if (name == "loan.apply" && !loan_purpose_known(purpose)) {
        co_return engine::ActionResult{"error", {}};
    }
    engine::ActionResult refusal;
    auto user = co_await authorise(context.phone, arg(request.args, "pin"), &refusal);
    if (!user) co_return refusal;
    if (name == "loan.apply") {
        LoanRequest loan{"loan:" + context.request_id, user->id, context.phone, *amount,
                         purpose};
        co_return answer(name,
                         co_await bank_.store().write(loan_apply_job(std::move(loan), &loans_,
                                                                     clock_())));
    }
    const bool mpesa = arg(request.args, "source") == "mpesa";
    co_return answer(name, co_await bank_.store().write(loan_repay_job(
                               user->id, context.phone,
                               (mpesa ? "repay_mpesa:" : "repay:") + context.request_id,
                               *amount, mpesa, clock_())));
}

}  // namespace hodi::storage
