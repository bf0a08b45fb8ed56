// Loans on the ledger: apply (approved within the credit limit, paid out by M-Pesa B2C), repay
// from the wallet or by M-Pesa, overdue penalties. Like ledger.hpp, these run inside a
// transaction the caller owns; domain refusals are values, SQLite failures throw.
//
// The legs, for a user with loan account L = loan_code(phone) (no floor; its balance goes
// negative by what the user owes) and a loan of principal P, interest I and fee F:
//
//   apply       L -> system:mpesa_clearing   P  kind loan      two-phase (pending)
//               L -> system:interest_income  I  kind interest  two-phase (pending)
//               L -> system:fee_income       F  kind fee       two-phase (pending)
//               + outbox b2c (transfer = the loan leg, amount P, phone)
//   B2C done    all three posted: L is -(P + I + F); clearing +P (the paybill's cash paid out)
//   B2C failed  all three voided: nothing was ever owed or earned, nothing to undo
//   repay       wallet -> L            kind repay        posted (capped at what is owed)
//   M-Pesa      clearing -> L          kind repay_mpesa  two-phase + outbox stk_push; counts
//               as a repayment when posted; anything beyond what is then owed goes on
//               L -> wallet            kind refund
//   overdue     L -> system:penalty_income  penalty% of what is owed  kind penalty  posted
//
// The charges wait with the principal (rather than being booked and reversed) so a failed
// payout leaves no trace in the balances. system:loan_book is not used: the loan accounts
// themselves are the book of what is lent out.
#pragma once

#include <array>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/ledger.hpp"
#include "storage/bank/money/loan_settings.hpp"

namespace hodi::storage {

enum class LoanState : std::uint8_t { disbursing, open, repaid, failed };
std::string_view to_string(LoanState state);

struct Loan {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string product;
    std::string purpose;
    Cents principal = 0;
    Cents interest = 0;
    Cents fee = 0;
    Cents penalty = 0;
    BasisPoints penalty_rate = 0;
    int term_days = 0;
    Cents repaid = 0;
    LoanState state = LoanState::disbursing;
    std::string disbursement;  ///< the loan leg's transfer id
    Seconds created_at{};
    Seconds due_at{};
    std::optional<Seconds> overdue_at;
    std::optional<Seconds> closed_at;

    Cents total() const { return principal + interest + fee + penalty; }
    Cents owed() const { return total() - repaid; }
    bool overdue(Seconds now) const { return state == LoanState::open && now > due_at; }
    // The penalty an overdue loan owes that the sweep has not charged yet: what a read adds to
    // owed() to show what is due, and what charging it books.
    Cents penalty_due(Seconds now) const {
        return overdue(now) && !overdue_at ? percent_of(owed(), penalty_rate) : 0;
    }
};

// The purposes a loan may be for: the words loan.apply's `purpose` accepts, and what the loans
// table's CHECK allows (a test holds the two together).
inline constexpr std::array<std::string_view, 4> loan_purposes{"emergency", "business",
                                                                "education", "personal"};
bool loan_purpose_known(std::string_view purpose);

struct LoanRequest {
    std::string transfer_id;  ///< the loan leg's id; charges derive theirs from it
    std::int64_t user_id = 0;
    std::string phone;
    Cents amount = 0;
    std::string purpose;
};

enum class LoanDecision : std::uint8_t { approved, over_limit, too_small, has_open_loan };

struct LoanApplication {
    LoanDecision decision = LoanDecision::approved;
    Cents limit = 0;  ///< the user's limit at the time of the decision
    Loan loan;        ///< set when approved
};

// Decides and, when approved, books the pending legs, the b2c outbox row and the
// loan.approved audit event. A repeated transfer_id answers the first application unchanged.
// Decides on the current credit score.
boost::system::result<LoanApplication> apply_for_loan(Connection& db, const LoanRequest& request,
                                                      const LoanSettings& settings, Seconds now);

// What the user's current credit score lets them borrow (LoanSettings::limit_for_score),
// whether or not a loan is open. A read: writes nothing.
boost::system::result<Cents> loan_limit(Connection& db, std::int64_t user_id,
                                        const LoanSettings& settings, Seconds now);

// The user's loans, oldest first.
boost::system::result<std::vector<Loan>> user_loans(Connection& db, std::int64_t user_id);

// Charges the penalty of every open loan of the user that is past due and not yet seen so,
// with a loan.overdue audit event. Safe to call at any time; charges each loan once.
boost::system::result<void> charge_overdue_penalties(Connection& db, std::int64_t user_id,
                                                     Seconds now);

// The same for every user in the book, at most `users_max` users per call (the oldest due
// first), so a user who never dials is charged too. Answers how many users it charged; call it
// again while that equals users_max.
boost::system::result<std::size_t> charge_all_overdue_penalties(Connection& db, Seconds now,
                                                                std::size_t users_max);

enum class RepayOutcome : std::uint8_t { paid, pending, insufficient_funds, none };

struct Repayment {
    RepayOutcome outcome = RepayOutcome::none;
    Cents amount = 0;  ///< what was (or will be) paid, after the cap
    Cents owed = 0;    ///< what the open loans owe after this repayment (pending: before)
};

// Repays open loans, oldest first, from the wallet (`mpesa` false) or by an M-Pesa STK push
// (pending until settled). The amount is capped at what is owed. `none` without an open loan.
// A repeated transfer_id answers the first repayment's amount and today's balance.
boost::system::result<Repayment> repay_loans(Connection& db, std::int64_t user_id,
                                             std::string_view phone, const std::string& transfer_id,
                                             Cents amount, bool mpesa, Seconds now);

// Settlement effects (called by apply_settlement_effects): the payout of loan leg `transfer`
// posted or voided, and an M-Pesa repayment posted.
boost::system::result<void> loan_disbursement_settled(Connection& db, const Transfer& transfer,
                                                      Seconds now);
boost::system::result<void> mpesa_repayment_posted(Connection& db, const Transfer& transfer,
                                                   Seconds now);

}  // namespace hodi::storage
