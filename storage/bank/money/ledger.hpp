// The double-entry ledger: accounts and transfers. These functions run inside a transaction the
// caller owns (a Store write job), so several of them compose into one atomic change. Domain
// failures are values; SQLite failures throw SQLite::Exception, which Store turns into
// store_failed after rolling the job back.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/money.hpp"
#include "storage/bank/sql/unix_time.hpp"

namespace hodi::storage {

using AccountId = std::int64_t;

// The accounts every book has, created by the first migration.
enum class SystemAccount : std::uint8_t {
    mpesa_clearing,   ///< money in and out through M-Pesa; negative: the paybill's cash
    loan_book,        ///< capital lent out; no floor
    interest_income,  ///< loan interest earned
    fee_income,       ///< fees charged
    penalty_income,   ///< late-repayment penalties
};
std::string_view system_account_code(SystemAccount account);

enum class TransferState : std::uint8_t { pending, posted, voided };
std::string_view to_string(TransferState state);

struct Account {
    AccountId id = 0;
    std::string code;  ///< unique, e.g. "wallet:+254712345678", "system:fee_income"
    std::string kind;  ///< wallet, savings, loan, mpesa_clearing, ...
    std::optional<std::int64_t> user_id;
    std::optional<Cents> floor;  ///< the lowest the available amount may go; none: unbounded
    Cents balance = 0;           ///< sum of the account's entries (credits minus debits)
    Cents pending_debits = 0;    ///< reserved by pending transfers debiting this account

    Cents available() const { return balance - pending_debits; }
};

// What a caller asks to move. `id` is the caller's idempotency key.
struct TransferRequest {
    std::string id;
    AccountId debit = 0;
    AccountId credit = 0;
    Cents amount = 0;
    std::string kind;        ///< what the movement is for: topup, save, loan_disburse, ...
    bool two_phase = false;  ///< pending first (reserves the amount), then post or void
};

struct Transfer {
    std::int64_t seq = 0;  ///< commit order
    std::string id;
    AccountId debit = 0;
    AccountId credit = 0;
    Cents amount = 0;
    std::string kind;
    bool two_phase = false;
    TransferState state = TransferState::posted;
    Seconds created_at{};
};

// Opens the account with this code, or returns the existing one's id (same code, same account).
boost::system::result<AccountId> open_account(Connection& db, std::string_view code,
                                              std::string_view kind,
                                              std::optional<std::int64_t> user_id,
                                              std::optional<Cents> floor, Seconds now);
boost::system::result<AccountId> find_account(Connection& db, std::string_view code);
boost::system::result<AccountId> find_account(Connection& db, SystemAccount account);
boost::system::result<Account> load_account(Connection& db, AccountId id);

// Moves money. A replay of an id with identical content returns the first result unchanged;
// the same id with different content is id_conflict. Fails with insufficient_funds when the
// debit account's available amount would fall below its floor, invalid_amount, same_account,
// unknown_account.
boost::system::result<Transfer> create_transfer(Connection& db, const TransferRequest& request,
                                                Seconds now);

// Settles a pending transfer. Posting a posted transfer (or voiding a voided one) returns it
// unchanged; crossing over is already_voided / already_posted.
boost::system::result<Transfer> post_transfer(Connection& db, std::string_view id, Seconds now);
boost::system::result<Transfer> void_transfer(Connection& db, std::string_view id, Seconds now);

boost::system::result<std::optional<Transfer>> find_transfer(Connection& db, std::string_view id);

// The newest posted transfers touching an account, newest first, at most `count`.
boost::system::result<std::vector<Transfer>> recent_transfers(Connection& db, AccountId account,
                                                              std::size_t count);

}  // namespace hodi::storage
