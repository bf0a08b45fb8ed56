// `hodi check`: audits the money book of a SQLite store and exits non-zero on any violation,
// so an operator (or a cron job) learns of drift before a subscriber does.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "app/bank_inspection.hpp"
#include "app/commands.hpp"
#include "app/paths.hpp"
#include "storage/bank/money/book_check.hpp"

namespace hodi::app {

namespace {

int report_book(const std::string& path, storage::Connection& db) {
    const storage::BookSummary summary = storage::verify_book(db);
    std::cout << path << ": " << summary.accounts << " accounts, " << summary.transfers
              << " transfers (" << summary.pending << " pending), " << summary.entries
              << " entries\n";
    for (const std::string& violation : summary.violations) {
        std::cout << "violation: " << violation << '\n';
    }
    std::cout << (summary.violations.empty() ? "book ok\n" : "book BROKEN\n");
    return summary.violations.empty() ? 0 : 1;
}

int run_check(const std::string& path) {
    return inspect_bank("check", path,
                        [&path](storage::Connection& db) { return report_book(path, db); });
}

}  // namespace

void add_check_command(CLI::App& cli, int& exit_code) {
    auto path = std::make_shared<std::string>(default_database_path.string());
    CLI::App* command = cli.add_subcommand(
        "check", "Audit the ledger: balances against entries, zero sum, floors (exit 1 if broken)");
    command->add_option("--db", *path, "SQLite database file")->capture_default_str();
    command->callback([path, &exit_code] { exit_code = run_check(*path); });
}

}  // namespace hodi::app
