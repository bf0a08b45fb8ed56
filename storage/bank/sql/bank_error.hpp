// Failures the bank (SQLite store, ledger, users) reports as values.
#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace hodi::storage {

enum class BankError {
    store_failed = 1,    ///< SQLite failed (I/O, busy past busy_timeout, corrupt); details logged
    schema_too_new,      ///< the database was migrated by a newer hodi than this binary
    busy,                ///< a bounded queue (writes, PIN checks) is full; try again later
    id_conflict,         ///< a transfer id was reused with different content
    insufficient_funds,  ///< the debit would take an account below its floor
    unknown_account,     ///< no account has that id or code
    unknown_transfer,    ///< no transfer has that id
    unknown_user,        ///< no user has that phone number
    already_posted,      ///< a void was asked for a transfer that was posted
    already_voided,      ///< a post was asked for a transfer that was voided
    invalid_amount,      ///< an amount is not positive or exceeds transfer_cents_max
    same_account,        ///< a transfer names one account as both debit and credit
    corrupt,  ///< a stored value is not one this binary wrote; the row is left untouched
    // The hop's deadline passed before the work could start: nothing was done, so the
    // subscriber's "unavailable" is the truth.
    deadline_passed,
    pin_in_progress,  ///< another PIN operation for the same phone is running; nothing done
    unknown_record,   ///< no callback or review has that id
};

const boost::system::error_category& bank_category();
boost::system::error_code make_error_code(BankError error);

}  // namespace hodi::storage

template <>
struct boost::system::is_error_code_enum<hodi::storage::BankError> : std::true_type {};
