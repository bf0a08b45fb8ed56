// `hodi audit verify`: walks the hash-chained audit log and exits non-zero at the first event
// whose link or hash is wrong, so tampering with the history is found, and where.
#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "storage/bank/audit.hpp"
#include "storage/bank/schema.hpp"

namespace hodi::app {

namespace {

int run_verify(const std::string& path) {
    // Like `hodi check`: never creates or migrates; a missing or older file is reported.
    if (!std::filesystem::exists(path)) {
        std::cerr << "hodi audit verify: " << path << ": no such database\n";
        return 2;
    }
    try {
        SQLite::Database db(path, SQLite::OPEN_READONLY,
                            static_cast<int>(storage::sqlite_busy_timeout.count()));
        const int version = db.execAndGet("PRAGMA user_version").getInt();
        if (version != storage::schema_version_known()) {
            std::cerr << "hodi audit verify: " << path << " has schema version " << version
                      << "; this hodi knows version " << storage::schema_version_known()
                      << '\n';
            return 2;
        }
        db.exec("BEGIN");  // one snapshot, even while `hodi serve` appends
        const auto check = storage::verify_audit(db);
        db.exec("COMMIT");
        if (!check) {
            std::cerr << "hodi audit verify: " << path << ": " << check.error().message() << '\n';
            return 2;
        }
        if (check->broken) {
            std::cout << "audit: chain broken at event " << *check->broken << " ("
                      << check->reason << ")\n";
            return 1;
        }
        std::cout << "audit: " << check->events << " events, chain intact\n";
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "hodi audit verify: " << path << ": " << error.what() << '\n';
        return 2;
    }
}

}  // namespace

void add_audit_command(CLI::App& cli, int& exit_code) {
    auto path = std::make_shared<std::string>("var/hodi.db");
    CLI::App* audit = cli.add_subcommand("audit", "The hash-chained audit log");
    audit->require_subcommand(1);
    CLI::App* verify = audit->add_subcommand(
        "verify", "Check every event's hash and link (exit 1 at the first broken event)");
    verify->add_option("--db", *path, "SQLite database file")->capture_default_str();
    verify->callback([path, &exit_code] { exit_code = run_verify(*path); });
}

}  // namespace hodi::app
