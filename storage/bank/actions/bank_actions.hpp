// The ActionRunner that answers the action catalogue (notes: CATALOGUE) on real data: users,
// PINs, the ledger and savings goals in SQLite.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "storage/actions.hpp"
#include "storage/bank/actions/bank_action_jobs.hpp"
#include "storage/bank/pins/pin_service.hpp"
#include "storage/bank/money/loan_settings.hpp"
#include "storage/session_sealer.hpp"

namespace hodi::storage {

// Answers the whole catalogue: user.lookup, pin.*, balance, statement, wallet.topup,
// savings.*, loan.*, score, language.set. Money actions derive their transfer ids from
// ActionContext::request_id, so a hop AT repeats moves money once. M-Pesa sources
// (wallet.topup, savings.deposit and loan.repay from mpesa) create a pending transfer from
// mpesa_clearing, posted later by the payment callback; they answer `pending`/`ok`. A loan is
// paid out by M-Pesa B2C (loans.hpp describes its ledger legs).
//
// Thread-safe: all state is in the Store; the Bank serialises writes.
class BankActions final : public ActionRunner {
public:
    using Clock = std::function<Seconds()>;
    // Builds the job a right PIN unlocks, for the user it verified.
    using GuardedJob = std::function<DbFn<engine::ActionResult>(const User&)>;
    // `sealer` opens the PINs a hop sealed for a later one and proves a verified PIN (the one
    // HopServices has); none: a random one (tests that type every PIN in one hop).
    // `prompts_per_phone_per_hour`: M-Pesa prompts top-ups may send one phone in an hour.
    BankActions(Bank& bank, Clock clock, LoanSettings loans = LoanSettings{},
                std::shared_ptr<const SessionSealer> sealer = nullptr,
                int prompts_per_phone_per_hour = mpesa_prompts_per_phone_per_hour);

    const std::vector<engine::ActionSpec>& specs() const override;
    net::awaitable<engine::ActionResult> run(engine::ActionRequest request,
                                             ActionContext context) override;

private:
    // Who authorises a guarded action: the session's proof of a PIN verified earlier, else the
    // PIN typed in this hop, else nobody.
    struct Authority {
        bool proven = false;
        std::string pin;
    };
    Authority authority(const engine::Variables& args, const ActionContext& context) const;
    // Runs the job for a proven session (Bank::run_verified), or verifies the typed PIN and,
    // when it is right, runs the job in the transaction that records the attempt
    // (Bank::check_pin); with neither answers `unverified`, counting nothing. Answers a refusal
    // (wrong_pin with tries_left, locked, error) as its outcome, or what the job answered.
    net::awaitable<boost::system::result<engine::ActionResult>> guarded(std::string phone,
                                                                        Authority authority,
                                                                        GuardedJob job,
                                                                        PinDeadline deadline);
    // One read of the store, answered as the action's result (a store failure as "error").
    net::awaitable<engine::ActionResult> answer_read(std::string action,
                                                     DbFn<engine::ActionResult> job);
    net::awaitable<engine::ActionResult> run_pin_action(engine::ActionRequest request,
                                                        ActionContext context);
    net::awaitable<engine::ActionResult> run_money_action(engine::ActionRequest request,
                                                          ActionContext context);
    net::awaitable<engine::ActionResult> run_savings_action(engine::ActionRequest request,
                                                            ActionContext context);
    net::awaitable<engine::ActionResult> run_loan_action(engine::ActionRequest request,
                                                         ActionContext context);

    Bank& bank_;
    Clock clock_;
    LoanSettings loans_;
    std::shared_ptr<const SessionSealer> sealer_;
    int prompts_per_phone_per_hour_;
};

}  // namespace hodi::storage
