// Access to tests/vectors (the protocol samples in real wire format) and to source files.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace hodi::test {

std::filesystem::path source_dir();  ///< the repository root (HODI_SOURCE_DIR)
std::filesystem::path vectors_dir();  ///< HODI_VECTORS_DIR (tests/vectors)

// Parses vectors/<file>; fails the running test (doctest FAIL) when it is missing or broken.
boost::json::value load_vector(std::string_view file);
std::string read_file(const std::filesystem::path& path);
// A randomised test's seed: HODI_SEED when set (to replay a failure), else a fresh one. The
// test prints it.
std::uint64_t seed_from_environment();

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace hodi::test
