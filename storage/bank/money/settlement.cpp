// settle_transfer(): the one door through which a money leg that waited on M-Pesa settles.
#include "storage/bank/money/settlement.hpp"

#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

boost::system::result<Transfer> settle_transfer(Connection& db, std::string_view id, bool succeeded,
                                                Seconds now) {
    auto found = find_transfer(db, id);
    if (!found) return found.error();
    if (!*found) return make_error_code(BankError::unknown_transfer);
    // Only the call that moves the transfer out of pending applies its effects: a replayed
    // callback, or a drainer finishing a row a callback already settled, changes nothing.
    const bool was_pending = (*found)->state == TransferState::pending;
    auto settled = succeeded ? post_transfer(db, id, now) : void_transfer(db, id, now);
    if (!settled) return settled.error();
    if (was_pending) {
        if (auto applied = apply_settlement_effects(db, *settled, now); !applied) {
            return applied.error();
        }
    }
    return settled;
}

}  // namespace hodi::storage
