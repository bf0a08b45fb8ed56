// Creating hodi's folders and database files owner-only.
#include "storage/bank/sql/private_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace hodi::storage {

namespace fs = std::filesystem;

std::error_code create_private_folders(const fs::path& folder) {
    if (folder.empty()) return {};
    std::error_code ec;
    if (fs::exists(folder, ec)) return ec;
    if (folder.has_parent_path() && folder.parent_path() != folder) {
        if (const auto failed = create_private_folders(folder.parent_path())) return failed;
    }
    if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
        return {errno, std::generic_category()};
    }
    return {};
}

std::error_code make_database_private(const fs::path& database) {
    const int fd = ::open(database.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return {errno, std::generic_category()};
    const bool tightened = ::fchmod(fd, 0600) == 0;
    const int saved_errno = errno;
    ::close(fd);
    if (!tightened) return {saved_errno, std::generic_category()};
    for (const char* suffix : {"-wal", "-shm"}) {
        const fs::path companion = database.string() + suffix;
        if (::chmod(companion.c_str(), 0600) != 0 && errno != ENOENT) {
            return {errno, std::generic_category()};
        }
    }
    return {};
}

}  // namespace hodi::storage
