// Opening the bank for a read-only command.
#include "app/bank_inspection.hpp"

#include <filesystem>
#include <iostream>

#include "storage/bank/sql/schema.hpp"

namespace hodi::app {

int inspect_bank(std::string_view command, const std::string& path,
                 const std::function<int(storage::Connection&)>& inspect) {
    if (!std::filesystem::exists(path)) {
        std::cerr << "hodi " << command << ": " << path << ": no such database\n";
        return exit_cannot_inspect;
    }
    try {
        storage::Connection db(path, SQLite::OPEN_READONLY,
                               static_cast<int>(storage::sqlite_busy_timeout.count()));
        const int version = db.execAndGet("PRAGMA user_version").getInt();
        if (version != storage::schema_version_known()) {
            std::cerr << "hodi " << command << ": " << path << " has schema version " << version
                      << "; this hodi knows version " << storage::schema_version_known()
                      << '\n';
            return exit_cannot_inspect;
        }
        db.exec("BEGIN");
        const int code = inspect(db);
        db.exec("COMMIT");
        return code;
    } catch (const std::exception& error) {
        std::cerr << "hodi " << command << ": " << path << ": " << error.what() << '\n';
        return exit_cannot_inspect;
    }
}

}  // namespace hodi::app
