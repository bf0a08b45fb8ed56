// Users in SQL: keyed by E.164 phone number, with language, PIN hash and PIN lock counters.
// Like ledger.hpp, these run inside a transaction the caller owns; SQLite failures throw.
#pragma once

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "engine/language.hpp"
#include "storage/bank/sql/connection.hpp"
#include "storage/bank/money/ledger.hpp"
#include "storage/bank/pins/pin_policy.hpp"

namespace hodi::storage {

struct User {
    std::int64_t id = 0;
    std::string phone;  ///< E.164, "+254712345678"
    std::string name;
    engine::Language language = engine::Language::en;
    std::optional<std::string> pin_hash;  ///< crypto_pwhash_str text; none until registered
    PinLock lock;
    Seconds created_at{};
};

// The account codes of a user's own accounts.
std::string wallet_code(std::string_view phone);
std::string loan_code(std::string_view phone);

boost::system::result<std::optional<User>> find_user(Connection& db, std::string_view phone);

// What a menu greets a caller with; every session's first hop reads it, so it reads no more:
// no PIN hash (only whether there is one), no lock counters.
struct Greeting {
    std::string name;
    engine::Language language = engine::Language::en;
    bool registered = false;  ///< has chosen a PIN
};
boost::system::result<std::optional<Greeting>> find_greeting(Connection& db,
                                                             std::string_view phone);

// Creates the user with a wallet (floor 0) and a loan account (no floor), or returns the
// existing user unchanged.
boost::system::result<User> ensure_user(Connection& db, std::string_view phone,
                                        engine::Language language, Seconds now);

boost::system::result<void> set_pin_hash(Connection& db, std::int64_t user_id,
                                         std::string_view pin_hash);
boost::system::result<void> set_language(Connection& db, std::int64_t user_id,
                                         engine::Language language);

// Applies one verified attempt to the counters as they are now in the database (another
// attempt may have landed since they were read). Answers the counters after the attempt, and
// whether the user was found locked (then nothing changes).
struct PinAttempt {
    PinLock lock;
    bool was_locked = false;
};
boost::system::result<PinAttempt> record_pin_attempt(Connection& db, std::int64_t user_id,
                                                     bool right, Seconds now);

// Clears every PIN lock and counter (operator action). unknown_user when no such phone.
boost::system::result<void> unlock_user(Connection& db, std::string_view phone);

}  // namespace hodi::storage
