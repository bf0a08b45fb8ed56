// `hodi admin unlock MSISDN`: the operator's way to lift a PIN lock, including the last one,
// which no amount of waiting lifts.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "app/paths.hpp"
#include "app/pepper.hpp"
#include "engine/phone.hpp"
#include "storage/bank/money/audit.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/bank/money/users.hpp"

namespace hodi::app {

namespace {

struct AdminOptions {
    std::string db = default_database_path.string();
    std::string pepper_file = default_pin_pepper_path.string();
    std::string msisdn;
};

// The unlock and its audit event commit together: an operator action is never unrecorded.
storage::DbFn<int> unlock_job(std::string phone, storage::Seconds now) {
    return [phone = std::move(phone), now](storage::Connection& db) -> boost::system::result<int> {
        if (auto unlocked = storage::unlock_user(db, phone); !unlocked) return unlocked.error();
        if (auto audited = storage::append_audit(db, {"operator", "pin.unlocked", phone, ""}, now);
            !audited) {
            return audited.error();
        }
        return 1;
    };
}

int run_unlock(const AdminOptions& options) {
    const auto msisdn = engine::normalise_msisdn(options.msisdn);
    if (!msisdn) {
        std::cerr << "hodi admin unlock: " << options.msisdn << " is not a Kenyan mobile number\n";
        return 2;
    }
    auto store = storage::Store::open(storage::StoreSettings{options.db});
    if (!store) {
        std::cerr << "hodi admin unlock: " << options.db << ": " << store.error().message()
                  << '\n';
        return 2;
    }
    // The operator's event joins the keyed chain like every other one.
    const auto pepper = existing_pepper(options.pepper_file);
    if (!pepper || !storage::key_audit_chain(**store, *pepper)) {
        std::cerr << "hodi admin unlock: needs the bank's PIN pepper (" << options.pepper_file
                  << " or HODI_PIN_PEPPER) to record the unlock in the audit chain\n";
        return 2;
    }
    const auto unlocked = (*store)->write_now<int>(unlock_job(
        msisdn->e164(),
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
    if (!unlocked) {
        std::cerr << "hodi admin unlock: " << msisdn->e164() << ": "
                  << unlocked.error().message() << '\n';
        return 1;
    }
    std::cout << "unlocked " << msisdn->e164() << '\n';
    return 0;
}

}  // namespace

void add_admin_command(CLI::App& cli, int& exit_code) {
    auto options = std::make_shared<AdminOptions>();
    CLI::App* admin = cli.add_subcommand("admin", "Operator actions on the SQLite store");
    admin->require_subcommand(1);
    admin->add_option("--db", options->db, "SQLite database file")->capture_default_str();
    admin->add_option("--pepper-file", options->pepper_file,
                      "PIN pepper the audit chain is keyed from (HODI_PIN_PEPPER wins)")
        ->capture_default_str();
    CLI::App* unlock =
        admin->add_subcommand("unlock", "Clear a subscriber's PIN lock and wrong-PIN count");
    unlock->add_option("msisdn", options->msisdn, "phone number, e.g. 0712345678")->required();
    unlock->callback([options, &exit_code] { exit_code = run_unlock(*options); });
}

}  // namespace hodi::app
