// Writing and reading the audit head file.
#include "storage/bank/sql/audit_head.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace hodi::storage {

std::filesystem::path audit_head_path(const std::filesystem::path& database) {
    return database.string() + ".audit-head";
}

void write_audit_head(const std::filesystem::path& file, std::int64_t seq,
                      const std::string& hash) {
    const std::string line = std::to_string(seq) + ' ' + hash + '\n';
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + file.string());
    // One short write at offset 0 (always the same length for a given seq width), then the
    // length fixed: the file never holds a torn or stale tail.
    const bool written = ::pwrite(fd, line.data(), line.size(), 0) ==
                             static_cast<ssize_t>(line.size()) &&
                         ::ftruncate(fd, static_cast<off_t>(line.size())) == 0 &&
                         ::fdatasync(fd) == 0;
    ::close(fd);
    if (!written) throw std::runtime_error("cannot write " + file.string());
}

std::optional<Connection::AuditHead> read_audit_head(const std::filesystem::path& file) {
    std::ifstream in(file);
    Connection::AuditHead head;
    if (!(in >> head.seq >> head.hash) || head.seq <= 0) return std::nullopt;
    return head;
}

}  // namespace hodi::storage
