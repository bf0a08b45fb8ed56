// Users and their PIN counters in SQL.
#include "storage/bank/money/users.hpp"

#include "storage/bank/money/audit.hpp"
#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

void store_lock(Connection& db, std::int64_t user_id, const PinLock& lock) {
    Prepared update(db,
                    "UPDATE users SET failed_pins = ?, lock_stage = ?, locked_until = ? "
                    "WHERE id = ?");
    update.bind(1, lock.failed_pins);
    update.bind(2, lock.lock_stage);
    update.bind(3, unix_seconds(lock.locked_until));
    update.bind(4, user_id);
    update.exec();
}

}  // namespace

std::string wallet_code(std::string_view phone) { return "wallet:" + std::string(phone); }
std::string loan_code(std::string_view phone) { return "loan:" + std::string(phone); }

boost::system::result<std::optional<User>> find_user(Connection& db, std::string_view phone) {
    Prepared query(db,
                   "SELECT id, name, language, pin_hash, failed_pins, lock_stage, "
                   "locked_until, created_at FROM users WHERE phone = ?");
    query.bind(1, std::string(phone));
    if (!query.executeStep()) return std::optional<User>{};
    User user;
    user.id = query.getColumn(0).getInt64();
    user.phone = std::string(phone);
    user.name = query.getColumn(1).getString();
    user.language =
        engine::parse_language(query.getColumn(2).getString()).value_or(engine::Language::en);
    if (!query.getColumn(3).isNull()) user.pin_hash = query.getColumn(3).getString();
    user.lock.failed_pins = query.getColumn(4).getInt();
    user.lock.lock_stage = query.getColumn(5).getInt();
    user.lock.locked_until = from_unix_seconds(query.getColumn(6).getInt64());
    user.created_at = from_unix_seconds(query.getColumn(7).getInt64());
    return std::optional<User>{std::move(user)};
}

boost::system::result<std::optional<Greeting>> find_greeting(Connection& db,
                                                             std::string_view phone) {
    Prepared query(db, "SELECT name, language, pin_hash IS NOT NULL FROM users WHERE phone = ?");
    query.bind(1, std::string(phone));
    if (!query.executeStep()) return std::optional<Greeting>{};
    Greeting greeting;
    greeting.name = query.getColumn(0).getString();
    greeting.language =
        engine::parse_language(query.getColumn(1).getText()).value_or(engine::Language::en);
    greeting.registered = query.getColumn(2).getInt() != 0;
    return std::optional<Greeting>{std::move(greeting)};
}

boost::system::result<User> ensure_user(Connection& db, std::string_view phone,
                                        engine::Language language, Seconds now) {
    auto existing = find_user(db, phone);
    if (!existing) return existing.error();
    if (*existing) return std::move(**existing);
    Prepared insert(db, "INSERT INTO users (phone, language, created_at) VALUES (?, ?, ?)");
    insert.bind(1, std::string(phone));
    insert.bind(2, std::string(engine::language_code(language)));
    insert.bind(3, unix_seconds(now));
    insert.exec();
    const std::int64_t id = db.getLastInsertRowid();
    if (auto wallet = open_account(db, wallet_code(phone), "wallet", id, 0, now); !wallet) {
        return wallet.error();
    }
    if (auto loan = open_account(db, loan_code(phone), "loan", id, std::nullopt, now); !loan) {
        return loan.error();
    }
    User user;
    user.id = id;
    user.phone = std::string(phone);
    user.language = language;
    user.created_at = now;
    return user;
}

boost::system::result<void> set_pin_hash(Connection& db, std::int64_t user_id,
                                         std::string_view pin_hash) {
    Prepared update(db,
                    "UPDATE users SET pin_hash = ?, failed_pins = 0, lock_stage = 0, "
                    "locked_until = 0 WHERE id = ?");
    update.bind(1, std::string(pin_hash));
    update.bind(2, user_id);
    if (update.exec() != 1) return make_error_code(BankError::unknown_user);
    return {};
}

boost::system::result<void> set_language(Connection& db, std::int64_t user_id,
                                         engine::Language language) {
    Prepared update(db, "UPDATE users SET language = ? WHERE id = ?");
    update.bind(1, std::string(engine::language_code(language)));
    update.bind(2, user_id);
    if (update.exec() != 1) return make_error_code(BankError::unknown_user);
    return {};
}

boost::system::result<PinAttempt> record_pin_attempt(Connection& db, std::int64_t user_id,
                                                     bool right, Seconds now) {
    Prepared query(db,
                   "SELECT failed_pins, lock_stage, locked_until, phone FROM users "
                   "WHERE id = ?");
    query.bind(1, user_id);
    if (!query.executeStep()) return make_error_code(BankError::unknown_user);
    PinLock lock{query.getColumn(0).getInt(), query.getColumn(1).getInt(),
                 from_unix_seconds(query.getColumn(2).getInt64())};
    // A lock that landed between reading the user and this write wins: the attempt is void.
    if (lock.locked(now)) return PinAttempt{lock, true};
    // An expired lock keeps its stage (so the next three wrong PINs escalate) but not its
    // failure count.
    const PinLock after = after_pin_attempt(lock, right, now);
    store_lock(db, user_id, after);
    if (after.lock_stage > lock.lock_stage) {
        std::string detail = "stage " + std::to_string(after.lock_stage);
        detail += after.lock_stage >= pin_operator_lock_stage
                      ? std::string(" until an operator unlocks")
                      : " until " + std::to_string(unix_seconds(after.locked_until));
        auto audited = append_audit(
            db, {"system", "pin.locked", query.getColumn(3).getString(), std::move(detail)}, now);
        if (!audited) return audited.error();
    }
    return PinAttempt{after, false};
}

boost::system::result<void> unlock_user(Connection& db, std::string_view phone) {
    Prepared update(db,
                    "UPDATE users SET failed_pins = 0, lock_stage = 0, locked_until = 0 "
                    "WHERE phone = ?");
    update.bind(1, std::string(phone));
    if (update.exec() != 1) return make_error_code(BankError::unknown_user);
    return {};
}

}  // namespace hodi::storage
