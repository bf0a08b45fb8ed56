// `hodi check`: audits the money book of a SQLite store and exits non-zero on any violation,
// so an operator (or a cron job) learns of drift before a subscriber does; and lists what is
// still open (payments with M-Pesa, callbacks not applied, payments for review) and for how
// long, so nothing stays unresolved silently.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "app/bank_inspection.hpp"
#include "app/commands.hpp"
#include "app/paths.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/money/mpesa_callbacks.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/money/payment_reviews.hpp"

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

// "3h 12m", "45s": how long something has been open.
std::string age(storage::Seconds since, storage::Seconds now) {
    const std::int64_t seconds = std::max<std::int64_t>(0, (now - since).count());
    const auto two = [](std::int64_t big, std::string_view big_unit, std::int64_t small,
                        std::string_view small_unit) {
        return std::to_string(big) + std::string(big_unit) + " " + std::to_string(small) +
               std::string(small_unit);
    };
    if (seconds < 60) return std::to_string(seconds) + "s";
    if (seconds < 3'600) return two(seconds / 60, "m", seconds % 60, "s");
    if (seconds < 86'400) return two(seconds / 3'600, "h", seconds % 3'600 / 60, "m");
    return two(seconds / 86'400, "d", seconds % 86'400 / 3'600, "h");
}

// What is open is not a violation: payments wait on M-Pesa by design. It is listed so that an
// operator sees what has waited too long.
void report_open(storage::Connection& db) {
    const storage::Seconds at =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    bool any = false;
    for (const storage::OpenOutbox& open : storage::list_open_outbox(db).value()) {
        std::cout << "open: " << open.count << ' ' << storage::to_string(open.kind) << ' '
                  << storage::to_string(open.state) << " (oldest " << age(open.oldest, at)
                  << ")\n";
        any = true;
    }
    const storage::UnappliedCallbacks unapplied = storage::count_unapplied_callbacks(db).value();
    if (unapplied.count > 0) {
        std::cout << "open: " << unapplied.count << " M-Pesa callbacks kept, not yet applied "
                  << "(oldest " << age(*unapplied.oldest, at) << ")\n";
        any = true;
    }
    const storage::OpenReviews reviews = storage::count_open_reviews(db).value();
    if (reviews.count > 0) {
        std::cout << "open: " << reviews.count << " payments for review (oldest "
                  << age(*reviews.oldest, at) << "): hodi review list\n";
        any = true;
    }
    if (!any) std::cout << "nothing open\n";
}

int run_check(const std::string& path) {
    return inspect_bank("check", path, [&path](storage::Connection& db) {
        const int book = report_book(path, db);
        report_open(db);
        return book;
    });
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
