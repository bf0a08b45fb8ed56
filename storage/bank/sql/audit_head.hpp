// The audit chain's head kept outside the database, so that removing the newest events (which
// leaves a shorter chain that still links) is seen. Written by the Writer after each commit
// that appended events; read by `hodi audit verify`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "storage/bank/sql/connection.hpp"

namespace hodi::storage {

// The head file: "SEQ HASH\n" of the newest committed event, written and fsynced by the writer
// after each commit that appended events. It lets verify see the newest events dropped (the
// chain alone cannot: a shorter chain still links).
void write_audit_head(const std::filesystem::path& file, std::int64_t seq,
                      const std::string& hash);
std::optional<Connection::AuditHead> read_audit_head(const std::filesystem::path& file);

// Where the head file of the bank at `database` lives: beside it, "<file>.audit-head".
std::filesystem::path audit_head_path(const std::filesystem::path& database);

}  // namespace hodi::storage
