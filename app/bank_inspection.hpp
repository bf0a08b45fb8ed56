// Read-only commands on the bank (`hodi check`, `hodi audit verify`): they never create or
// migrate a database, and they read one snapshot even while `hodi serve` writes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "storage/bank/sql/connection.hpp"

namespace hodi::app {

// Exit code of a read-only command that could not look at the bank at all.
inline constexpr int exit_cannot_inspect = 2;

// Opens `path` read-only and runs `inspect` inside one read transaction, answering its exit
// code. A missing file, a schema version other than this hodi's, or an SQLite failure is
// reported on stderr as "hodi COMMAND: PATH: ..." and answers exit_cannot_inspect.
int inspect_bank(std::string_view command, const std::string& path,
                 const std::function<int(storage::Connection&)>& inspect);

}  // namespace hodi::app
