// Files only hodi's own user may read: the bank (every balance and PIN hash), its WAL and
// shared-memory files, the PIN pepper and the folders hodi creates for them.
#pragma once

#include <filesystem>
#include <system_error>

namespace hodi::storage {

// Creates the missing folders of `folder`, each mode 0700. Folders that exist are left as
// they are: they may be the operator's (/var/lib), not hodi's.
std::error_code create_private_folders(const std::filesystem::path& folder);

// Makes `database` mode 0600, creating it empty when missing, and its -wal and -shm files if
// they exist (SQLite gives the ones it creates later the database file's mode).
std::error_code make_database_private(const std::filesystem::path& database);

}  // namespace hodi::storage
