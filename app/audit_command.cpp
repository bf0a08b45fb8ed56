// `hodi audit verify`: walks the hash-chained audit log and exits non-zero at the first event
// whose link or hash is wrong, so tampering with the history is found, and where.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "app/bank_inspection.hpp"
#include "app/commands.hpp"
#include "app/paths.hpp"
#include "app/pepper.hpp"
#include "storage/bank/money/audit.hpp"

namespace hodi::app {

namespace {

// The chain's key from the pepper, or "" when there is none: then keyed events cannot be
// checked and say so.
std::string chain_key(const std::string& pepper_file) {
    const auto pepper = existing_pepper(pepper_file);
    return pepper ? storage::audit_key_from_pepper(*pepper) : std::string();
}

int report_chain(const std::string& path, const std::string& pepper_file,
                 storage::Connection& db) {
    const auto head = storage::read_audit_head(storage::audit_head_path(path));
    if (!head) {
        std::cout << "audit: no head file " << storage::audit_head_path(path).string()
                  << ": newest events removed would not be seen\n";
    }
    const auto check = storage::verify_audit(db, chain_key(pepper_file), head);
    if (!check) {
        std::cerr << "hodi audit verify: " << path << ": " << check.error().message() << '\n';
        return exit_cannot_inspect;
    }
    if (check->broken) {
        std::cout << "audit: chain broken at event " << *check->broken << " (" << check->reason
                  << ")\n";
        return 1;
    }
    std::cout << "audit: " << check->events << " events, chain intact"
              << (head ? ", head file agrees" : "") << '\n';
    return 0;
}

int run_verify(const std::string& path, const std::string& pepper_file) {
    return inspect_bank("audit verify", path, [&](storage::Connection& db) {
        return report_chain(path, pepper_file, db);
    });
}

}  // namespace

void add_audit_command(CLI::App& cli, int& exit_code) {
    auto path = std::make_shared<std::string>(default_database_path.string());
    auto pepper = std::make_shared<std::string>(default_pin_pepper_path.string());
    CLI::App* audit = cli.add_subcommand("audit", "The hash-chained audit log");
    audit->require_subcommand(1);
    CLI::App* verify = audit->add_subcommand(
        "verify", "Check every event's hash and link (exit 1 at the first broken event)");
    verify->add_option("--db", *path, "SQLite database file")->capture_default_str();
    verify->add_option("--pepper-file", *pepper,
                       "PIN pepper the chain is keyed from (HODI_PIN_PEPPER wins)")
        ->capture_default_str();
    verify->callback([path, pepper, &exit_code] { exit_code = run_verify(*path, *pepper); });
}

}  // namespace hodi::app
