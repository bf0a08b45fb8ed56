// The error category of BankError: names and messages for logs and `hodi check`.
#include "storage/bank/sql/bank_error.hpp"

#include <string>

namespace hodi::storage {

namespace {

class BankCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "hodi.bank"; }

    std::string message(int value) const override {
        switch (static_cast<BankError>(value)) {
            case BankError::store_failed: return "the SQLite store failed";
            case BankError::schema_too_new:
                return "the database schema is newer than this hodi knows; upgrade hodi";
            case BankError::busy: return "the bank is busy; try again";
            case BankError::deadline_passed: return "the hop's deadline passed; nothing was done";
            case BankError::pin_in_progress:
                return "a PIN operation for this phone is already running";
            case BankError::id_conflict:
                return "transfer id reused with different content";
            case BankError::insufficient_funds: return "insufficient funds";
            case BankError::unknown_account: return "unknown account";
            case BankError::unknown_transfer: return "unknown transfer";
            case BankError::unknown_user: return "unknown user";
            case BankError::unknown_record: return "no record has that id";
            case BankError::already_posted: return "the transfer was already posted";
            case BankError::already_voided: return "the transfer was already voided";
            case BankError::invalid_amount: return "invalid amount";
            case BankError::same_account: return "debit and credit are the same account";
            case BankError::corrupt: return "a stored value is not one this hodi wrote";
        }
        return "unknown bank error";
    }
};

}  // namespace

const boost::system::error_category& bank_category() {
    static const BankCategory category;
    return category;
}

boost::system::error_code make_error_code(BankError error) {
    return {static_cast<int>(error), bank_category()};
}

}  // namespace hodi::storage
