// Opening SQLite connections with hodi's pragmas, and the versioned schema migrations.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <filesystem>
#include <memory>

#include "storage/bank/connection.hpp"

namespace hodi::storage {

// How long a connection waits for another process's lock (an operator running `hodi admin`)
// before a statement fails with SQLITE_BUSY.
inline constexpr std::chrono::milliseconds sqlite_busy_timeout{5000};

// The schema version this binary writes; PRAGMA user_version holds the database's.
int schema_version_known();

// Opens (creating if needed, with its parent folder) a connection configured for hodi: WAL,
// synchronous=FULL, foreign_keys=ON, busy_timeout. Exceptions become store_failed (logged).
boost::system::result<std::unique_ptr<Connection>> open_connection(
    const std::filesystem::path& path);

// Brings the schema up to schema_version_known(), one transaction per migration. A database
// whose version is newer than this binary knows is refused with schema_too_new.
boost::system::result<void> migrate(Connection& db);

}  // namespace hodi::storage
