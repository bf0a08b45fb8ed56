// Opening SQLite connections with hodi's pragmas, and the versioned schema migrations.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "storage/bank/sql/connection.hpp"

namespace hodi::storage {

// How long a connection waits for another process's lock (an operator running `hodi admin`)
// before a statement fails with SQLITE_BUSY.
inline constexpr std::chrono::milliseconds sqlite_busy_timeout{5000};

// The schema version this binary writes; PRAGMA user_version holds the database's.
int schema_version_known();

// SQLite's page cache, per connection. SQLite's own default (2 MB) holds the whole bank of a few
// thousand subscribers; at 200,000 (105 MB of database) it holds so little that most page reads
// of a lookup become a system call, and a lookup by phone costs about 1.5x what it does with
// the pages cached (bench/README.md). A bound, not an allocation: pages are cached as read.
inline constexpr std::size_t default_page_cache_bytes = std::size_t{64} * 1024 * 1024;

// Opens (creating if needed, with its parent folder) a connection configured for hodi: WAL,
// synchronous=FULL, foreign_keys=ON, busy_timeout, a page cache of up to page_cache_bytes.
// Exceptions become store_failed (logged).
boost::system::result<std::unique_ptr<Connection>> open_connection(
    const std::filesystem::path& path, std::size_t page_cache_bytes = default_page_cache_bytes);

// Brings the schema up to schema_version_known(), one transaction per migration. A database
// whose version is newer than this binary knows is refused with schema_too_new.
boost::system::result<void> migrate(Connection& db);

}  // namespace hodi::storage
