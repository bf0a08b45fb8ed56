// `hodi review list | settle`: the payments hodi would not settle on its own, because what
// M-Pesa said contradicts what hodi asked for or already knew. Listing reads a snapshot;
// settling records what the operator found and did, in the keyed audit chain.
#include <CLI/CLI.hpp>
#include <fmt/chrono.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "app/bank_inspection.hpp"
#include "app/commands.hpp"
#include "app/paths.hpp"
#include "app/pepper.hpp"
#include "storage/bank/money/audit.hpp"
#include "storage/bank/money/payment_reviews.hpp"
#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/sql/store.hpp"

namespace hodi::app {

namespace {

struct ReviewOptions {
    std::string db = default_database_path.string();
    std::string pepper_file = default_pin_pepper_path.string();
    bool all = false;
    std::int64_t id = 0;
    std::string resolution;
};

// "2027-01-15 10:21:15Z": UTC, so two operators in different places read the same moment.
std::string utc(storage::Seconds at) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S}Z", at);
}

void print_review(const storage::PaymentReview& review) {
    std::cout << "#" << review.id << "  opened " << utc(review.opened_at);
    if (review.outbox_id) std::cout << "  outbox row " << *review.outbox_id;
    if (review.callback_id) std::cout << "  callback " << *review.callback_id;
    std::cout << "\n    " << review.reason << '\n';
    if (review.settled_at) {
        std::cout << "    settled " << utc(*review.settled_at) << " by " << review.settled_by
                  << ": " << review.resolution << '\n';
    }
}

int run_list(const ReviewOptions& options) {
    return inspect_bank("review list", options.db, [&options](storage::Connection& db) {
        const auto reviews = storage::list_reviews(db, !options.all);
        if (!reviews) {
            std::cerr << "hodi review list: " << reviews.error().message() << '\n';
            return exit_cannot_inspect;
        }
        for (const storage::PaymentReview& review : *reviews) print_review(review);
        std::cout << reviews->size() << (options.all ? " reviews\n" : " open reviews\n");
        return 0;
    });
}

int run_settle(const ReviewOptions& options) {
    if (options.resolution.empty()) {
        std::cerr << "hodi review settle: --resolution must say what was found and done\n";
        return 2;
    }
    auto store = storage::Store::open(storage::StoreSettings{options.db});
    if (!store) {
        std::cerr << "hodi review settle: " << options.db << ": " << store.error().message()
                  << '\n';
        return 2;
    }
    const auto pepper = existing_pepper(options.pepper_file);
    if (!pepper || !storage::key_audit_chain(**store, *pepper)) {
        std::cerr << "hodi review settle: needs the bank's PIN pepper (" << options.pepper_file
                  << " or HODI_PIN_PEPPER) to record the settlement in the audit chain\n";
        return 2;
    }
    const storage::Seconds now =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto settled = (*store)->write_now<storage::PaymentReview>(
        [&options, now](storage::Connection& db) {
            return storage::close_review(db, options.id, options.resolution, "operator", now);
        });
    if (!settled) {
        const bool unknown =
            settled.error() == make_error_code(storage::BankError::unknown_record);
        std::cerr << "hodi review settle: #" << options.id << ": "
                  << (unknown ? "no such review" : settled.error().message()) << '\n';
        return 1;
    }
    print_review(*settled);
    return 0;
}

}  // namespace

void add_review_command(CLI::App& cli, int& exit_code) {
    auto options = std::make_shared<ReviewOptions>();
    CLI::App* review = cli.add_subcommand(
        "review", "Payments M-Pesa contradicted: nothing moved until an operator settles them");
    review->require_subcommand(1);
    review->add_option("--db", options->db, "SQLite database file")->capture_default_str();
    CLI::App* list = review->add_subcommand("list", "The open reviews, oldest first");
    list->add_flag("--all", options->all, "settled ones too");
    list->callback([options, &exit_code] { exit_code = run_list(*options); });
    CLI::App* settle = review->add_subcommand(
        "settle", "Close a review with what was found and done (audited; moves no money)");
    settle->add_option("id", options->id, "the review's number, from hodi review list")
        ->required();
    settle->add_option("--resolution", options->resolution,
                       "what was found and done, e.g. 'refunded by M-Pesa reversal QK...'")
        ->required();
    settle->add_option("--pepper-file", options->pepper_file,
                       "PIN pepper the audit chain is keyed from (HODI_PIN_PEPPER wins)")
        ->capture_default_str();
    settle->callback([options, &exit_code] { exit_code = run_settle(*options); });
}

}  // namespace hodi::app
