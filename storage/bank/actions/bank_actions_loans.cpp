// The loan.* and score actions of BankActions.
#include "storage/bank/actions/bank_actions.hpp"
#include "storage/bank/actions/loan_action_jobs.hpp"

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

// `settings` must outlive the job, as for loan_apply_job.
BankActions::GuardedJob loan_apply_for(std::string transfer_id, std::string phone, Cents amount,
                                       std::string purpose, const LoanSettings* settings,
                                       Seconds now) {
    return [transfer_id = std::move(transfer_id), phone = std::move(phone), amount,
            purpose = std::move(purpose), settings, now](const User& user) {
        return loan_apply_job({transfer_id, user.id, phone, amount, purpose}, settings, now);
    };
}

BankActions::GuardedJob loan_repay_for(std::string phone, Cents amount, bool mpesa,
                                       const std::string& request_id, Seconds now) {
    std::string transfer_id = (mpesa ? "repay_mpesa:" : "repay:") + request_id;
    return [transfer_id = std::move(transfer_id), phone = std::move(phone), amount, mpesa,
            now](const User& user) {
        return loan_repay_job(user.id, phone, transfer_id, amount, mpesa, now);
    };
}

}  // namespace

net::awaitable<engine::ActionResult> BankActions::run_loan_action(engine::ActionRequest request,
                                                                  ActionContext context) {
    const std::string& name = request.name;
    const Seconds now = clock_();
    // Reads: they show what is due (a penalty the sweep has not charged yet included) and
    // run on a query_only connection, so they cannot move money.
    if (name == "loan.limit") {
        co_return co_await answer_read(name, loan_limit_job(context.phone, &loans_, now));
    }
    if (name == "loan.status") {
        co_return co_await answer_read(name, loan_status_job(context.phone, now));
    }
    if (name == "score") {
        co_return co_await answer_read(name, score_job(context.phone, now));
    }
    if (name != "loan.apply" && name != "loan.repay") co_return engine::ActionResult{"error", {}};
    const auto amount = parse_shillings(arg(request.args, "amount"));
    const std::string purpose = arg(request.args, "purpose");
    if (!amount || *amount <= 0) co_return engine::ActionResult{"error", {}};
    if (name == "loan.apply" && !loan_purpose_known(purpose)) {
        co_return engine::ActionResult{"error", {}};
    }
    // A named local: g++ 12 destroys temporaries built inside a co_await expression twice.
    GuardedJob job =
        name == "loan.apply"
            ? loan_apply_for("loan:" + context.request_id, context.phone, *amount, purpose, &loans_,
                             now)
            : loan_repay_for(context.phone, *amount, arg(request.args, "source") == "mpesa",
                             context.request_id, now);
    Authority by = authority(request.args, context);
    co_return answer(
        name, co_await guarded(context.phone, std::move(by), std::move(job), context.deadline));
}

}  // namespace hodi::storage
