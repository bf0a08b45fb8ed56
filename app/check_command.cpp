// `hodi check`: audits the money book of a SQLite store and exits non-zero on any violation,
// so an operator (or a cron job) learns of drift before a subscriber does.
#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "storage/bank/book_check.hpp"
#include "storage/bank/schema.hpp"

namespace hodi::app {

namespace {

int run_check(const std::string& path) {
    // A check never creates or migrates: a missing or older file is reported, not changed.
    if (!std::filesystem::exists(path)) {
        std::cerr << "hodi check: " << path << ": no such database\n";
        return 2;
    }
    try {
        SQLite::Database db(path, SQLite::OPEN_READONLY,
                            static_cast<int>(storage::sqlite_busy_timeout.count()));
        const int version = db.execAndGet("PRAGMA user_version").getInt();
        if (version != storage::schema_version_known()) {
            std::cerr << "hodi check: " << path << " has schema version " << version
                      << "; this hodi knows version " << storage::schema_version_known()
                      << '\n';
            return 2;
        }
        db.exec("BEGIN");  // one snapshot, even while `hodi serve` writes
        const storage::BookSummary summary = storage::verify_book(db);
        db.exec("COMMIT");
        std::cout << path << ": " << summary.accounts << " accounts, " << summary.transfers
                  << " transfers (" << summary.pending << " pending), " << summary.entries
                  << " entries\n";
        for (const std::string& violation : summary.violations) {
            std::cout << "violation: " << violation << '\n';
        }
        std::cout << (summary.violations.empty() ? "book ok\n" : "book BROKEN\n");
        return summary.violations.empty() ? 0 : 1;
    } catch (const std::exception& error) {
        std::cerr << "hodi check: " << path << ": " << error.what() << '\n';
        return 2;
    }
}

}  // namespace

void add_check_command(CLI::App& cli, int& exit_code) {
    auto path = std::make_shared<std::string>("var/hodi.db");
    CLI::App* command = cli.add_subcommand(
        "check", "Audit the ledger: balances against entries, zero sum, floors (exit 1 if broken)");
    command->add_option("--db", *path, "SQLite database file")->capture_default_str();
    command->callback([path, &exit_code] { exit_code = run_check(*path); });
}

}  // namespace hodi::app
