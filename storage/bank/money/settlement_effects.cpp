// The business effects of a settled money leg, by transfer kind: a loan payout opens (or
// fails) the loan, an M-Pesa repayment counts against the loans, a deposit or top-up moves the
// credit score.
#include "storage/bank/money/settlement.hpp"

#include "storage/bank/money/credit_score.hpp"
#include "storage/bank/money/loans.hpp"
#include "storage/bank/money/transfer_kinds.hpp"

namespace hodi::storage {

boost::system::result<void> apply_settlement_effects(Connection& db, const Transfer& transfer,
                                                     Seconds now) {
    const std::string_view kind = transfer.kind;
    if (kind == transfer_kind::loan) return loan_disbursement_settled(db, transfer, now);
    // A voided collection moved nothing: there is nothing to count.
    if (transfer.state != TransferState::posted) return {};
    if (kind == transfer_kind::repay_mpesa) return mpesa_repayment_posted(db, transfer, now);
    if (kind == transfer_kind::save || kind == transfer_kind::topup) {
        auto account = load_account(db, transfer.credit);
        if (!account) return account.error();
        if (!account->user_id) return {};
        auto score = recompute_score(db, *account->user_id, now);
        if (!score) return score.error();
    }
    return {};
}

}  // namespace hodi::storage
