// The pepper's check value: recorded once, compared at every start.
#include "storage/bank/pins/pepper_check.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>

#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

constexpr std::string_view check_name = "pin_pepper";
// What is keyed. Fixed forever: changing it would make every recorded value differ.
constexpr std::string_view check_text = "hodi pin pepper check v1";

}  // namespace

std::string pepper_check_value(std::string_view pepper) {
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(pepper.data()),
                                pepper.size());
    crypto_auth_hmacsha256_update(&state,
                                  reinterpret_cast<const unsigned char*>(check_text.data()),
                                  check_text.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::array<char, mac.size() * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    return hex.data();
}

boost::system::result<PepperFit> fit_pepper(Connection& db, std::string_view pepper,
                                            std::int64_t now) {
    try {
        const std::string expected = pepper_check_value(pepper);
        // IMMEDIATE: two processes starting at once must not both record a value.
        SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
        Prepared find(db, "SELECT check_value FROM secret_checks WHERE name = ?");
        find.bind(1, std::string(check_name));
        if (find.executeStep()) {
            const std::string stored = find.getColumn(0).getString();
            return stored.size() == expected.size() &&
                           sodium_memcmp(stored.data(), expected.data(), stored.size()) == 0
                       ? PepperFit::matches
                       : PepperFit::differs;
        }
        Prepared record(db, "INSERT INTO secret_checks (name, check_value, recorded_at) "
                            "VALUES (?, ?, ?)");
        record.bind(1, std::string(check_name));
        record.bind(2, expected);
        record.bind(3, now);
        record.exec();
        transaction.commit();
        return PepperFit::recorded;
    } catch (const std::exception& error) {
        spdlog::error("bank: cannot check the PIN pepper: {}", error.what());
        return make_error_code(BankError::store_failed);
    }
}

boost::system::result<std::int64_t> users_with_pins(Connection& db) {
    try {
        Prepared count(db, "SELECT count(*) FROM users WHERE pin_hash IS NOT NULL");
        count.executeStep();
        return count.getColumn(0).getInt64();
    } catch (const std::exception& error) {
        spdlog::error("bank: cannot count subscribers: {}", error.what());
        return make_error_code(BankError::store_failed);
    }
}

}  // namespace hodi::storage
