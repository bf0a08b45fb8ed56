// Committed ledger transfers per second with synchronous=FULL on a real file: many coroutines
// submitting through the group-commit writer, against the same transfers committed one
// transaction each. Also compares right- and wrong-PIN check times. Prints markdown rows.
#include <CLI/CLI.hpp>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "storage/bank/pins/pin_service.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/money/ledger.hpp"
#include "storage/bank/sql/schema.hpp"

namespace {

namespace net = boost::asio;
using namespace hodi::storage;
using Clock = std::chrono::steady_clock;

const Seconds now{std::chrono::seconds{1'800'000'000}};
constexpr int wallets = 1000;

struct Options {
    int transfers = 20'000;
    int reference_transfers = 1'000;
    int submitters = 256;
    int pin_samples = 15;
};

// Opens wallet:0..wallets-1, each funded from clearing, in one write.
DbFn<int> fund_job() {
    return [](Connection& db) -> boost::system::result<int> {
        const AccountId clearing = find_account(db, SystemAccount::mpesa_clearing).value();
        for (int i = 0; i < wallets; ++i) {
            const std::string code = "wallet:" + std::to_string(i);
            const AccountId wallet = open_account(db, code, "wallet", std::nullopt, 0, now).value();
            const auto funded = create_transfer(
                db, {"fund" + std::to_string(i), clearing, wallet, 100'000'000, "topup"}, now);
            if (!funded) return funded.error();
        }
        return wallets;
    };
}

TransferRequest nth_transfer(int n) {
    // Accounts 6.. are the wallets (1..5 are the system accounts).
    const AccountId from = 6 + n % wallets;
    const AccountId to = 6 + (n * 7 + 1) % wallets;
    return {"bench" + std::to_string(n), from, to == from ? 6 + (from - 5) % wallets : to, 100,
            "bench"};
}

DbFn<Transfer> transfer_job(int n) {
    return [n](Connection& db) { return create_transfer(db, nth_transfer(n), now); };
}

net::awaitable<void> submitter(Store* store, int first, int step, int count,
                               std::atomic<int>* failed) {
    for (int n = first; n < count; n += step) {
        auto done = co_await store->write<Transfer>(transfer_job(n));
        if (!done) ++*failed;
    }
}

double group_commit_rate(const std::filesystem::path& file, const Options& options,
                         WriterStats& stats) {
    auto store = Store::open(StoreSettings{file}).value();
    store->write_now<int>(fund_job()).value();
    const WriterStats before = store->writer_stats();
    net::io_context io;
    std::atomic<int> failed{0};
    for (int s = 0; s < options.submitters; ++s) {
        net::co_spawn(io, submitter(store.get(), s, options.submitters, options.transfers,
                                    &failed),
                      net::detached);
    }
    const auto start = Clock::now();
    std::thread helper([&io] { io.run(); });
    io.run();
    helper.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    stats = store->writer_stats();
    stats.batches -= before.batches;
    stats.jobs -= before.jobs;
    auto book = store->read_now<BookSummary>(
        [](Connection& db) { return boost::system::result<BookSummary>(verify_book(db)); });
    if (failed != 0 || !book || !book->violations.empty()) {
        std::fprintf(stderr, "group commit run failed: %d failed, book ok=%d\n", failed.load(),
                     book && book->violations.empty());
    }
    return options.transfers / seconds;
}

double one_transaction_each_rate(const std::filesystem::path& file, const Options& options) {
    {
        auto store = Store::open(StoreSettings{file}).value();
        store->write_now<int>(fund_job()).value();
    }
    auto db = open_connection(file).value();
    const auto start = Clock::now();
    for (int n = 0; n < options.reference_transfers; ++n) {
        SQLite::Transaction transaction(*db, SQLite::TransactionBehavior::IMMEDIATE);
        create_transfer(*db, nth_transfer(n), now).value();
        transaction.commit();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return options.reference_transfers / seconds;
}

double check_millis(Bank& bank, const char* pin) {
    net::io_context io;
    const auto start = Clock::now();
    auto future = net::co_spawn(io, bank.check_pin("+254712345678", pin, now), net::use_future);
    io.run();
    future.get().value();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Interleaves right and wrong PIN checks with production argon2 settings; each wrong PIN is
// followed by a right one, so the lock ladder never engages.
void pin_timing(const std::filesystem::path& file, const Options& options) {
    auto store = Store::open(StoreSettings{file}).value();
    PinSettings settings;
    settings.pepper = "bench pepper";
    Bank bank(*store, settings);
    net::io_context io;
    auto registered = net::co_spawn(
        io, bank.register_pin("+254712345678", "2580", "2580", hodi::engine::Language::en, now),
        net::use_future);
    io.run();
    registered.get().value();
    std::vector<double> right;
    std::vector<double> wrong;
    for (int i = 0; i < options.pin_samples; ++i) {
        wrong.push_back(check_millis(bank, "1357"));
        right.push_back(check_millis(bank, "2580"));
    }
    const double ratio = std::max(median(right), median(wrong)) /
                         std::min(median(right), median(wrong));
    std::printf("| PIN check, argon2id interactive (median of %d) | right %.1f ms | "
                "wrong %.1f ms | ratio %.3f |\n",
                options.pin_samples, median(right), median(wrong), ratio);
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App cli{"Ledger transfers per second through the group-commit writer"};
    cli.add_option("--transfers", options.transfers, "transfers through group commit");
    cli.add_option("--reference-transfers", options.reference_transfers,
                   "transfers committed one transaction each");
    cli.add_option("--submitters", options.submitters, "concurrent submitting coroutines");
    cli.add_option("--pin-samples", options.pin_samples, "PIN checks per path (0: skip)");
    CLI11_PARSE(cli, argc, argv);

    const auto dir = std::filesystem::current_path() /
                     ("hodi-transfers-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    WriterStats stats;
    const double grouped = group_commit_rate(dir / "grouped.db", options, stats);
    const double single = one_transaction_each_rate(dir / "single.db", options);
    std::printf("| run | transfers | committed/s | transactions | vs one-per-commit |\n");
    std::printf("|---|---|---|---|---|\n");
    std::printf("| one transaction each (reference) | %d | %.0f | %d | 1.0x |\n",
                options.reference_transfers, single, options.reference_transfers);
    std::printf("| group commit, %d submitters | %d | %.0f | %llu (%.1f per commit) | %.1fx |\n",
                options.submitters, options.transfers, grouped,
                static_cast<unsigned long long>(stats.batches),
                static_cast<double>(stats.jobs) / static_cast<double>(stats.batches),
                grouped / single);
    if (options.pin_samples > 0) pin_timing(dir / "pins.db", options);
    std::filesystem::remove_all(dir);
    return 0;
}
