// The kinds of ledger transfers, in one place: settlement dispatches on them and the mini
// statement prints them, so each is short and reads as a word on a USSD screen.
#pragma once

#include <string_view>

namespace hodi::storage::transfer_kind {

inline constexpr std::string_view topup = "topup";        ///< M-Pesa -> wallet (pending first)
inline constexpr std::string_view save = "save";          ///< wallet or M-Pesa -> savings goal
inline constexpr std::string_view unsave = "unsave";      ///< savings goal -> wallet
inline constexpr std::string_view loan = "loan";          ///< loan account -> M-Pesa (B2C)
inline constexpr std::string_view interest = "interest";  ///< loan account -> interest_income
inline constexpr std::string_view fee = "fee";            ///< loan account -> fee_income
inline constexpr std::string_view penalty = "penalty";    ///< loan account -> penalty_income
inline constexpr std::string_view repay = "repay";        ///< wallet -> loan account
inline constexpr std::string_view repay_mpesa = "repay_mpesa";  ///< M-Pesa -> loan account
inline constexpr std::string_view refund = "refund";      ///< loan account -> wallet (overpaid)

}  // namespace hodi::storage::transfer_kind
