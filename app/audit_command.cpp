// `hodi audit verify`: walks the hash-chained audit log and exits non-zero at the first event
// whose link or hash is wrong, so tampering with the history is found, and where.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "app/bank_inspection.hpp"
#include "app/commands.hpp"
#include "app/paths.hpp"
#include "storage/bank/money/audit.hpp"

namespace hodi::app {

namespace {

int report_chain(const std::string& path, storage::Connection& db) {
    const auto check = storage::verify_audit(db);
    if (!check) {
        std::cerr << "hodi audit verify: " << path << ": " << check.error().message() << '\n';
        return exit_cannot_inspect;
    }
    if (check->broken) {
        std::cout << "audit: chain broken at event " << *check->broken << " (" << check->reason
                  << ")\n";
        return 1;
    }
    std::cout << "audit: " << check->events << " events, chain intact\n";
    return 0;
}

int run_verify(const std::string& path) {
    return inspect_bank("audit verify", path,
                        [&path](storage::Connection& db) { return report_chain(path, db); });
}

}  // namespace

void add_audit_command(CLI::App& cli, int& exit_code) {
    auto path = std::make_shared<std::string>(default_database_path.string());
    CLI::App* audit = cli.add_subcommand("audit", "The hash-chained audit log");
    audit->require_subcommand(1);
    CLI::App* verify = audit->add_subcommand(
        "verify", "Check every event's hash and link (exit 1 at the first broken event)");
    verify->add_option("--db", *path, "SQLite database file")->capture_default_str();
    verify->callback([path, &exit_code] { exit_code = run_verify(*path); });
}

}  // namespace hodi::app
