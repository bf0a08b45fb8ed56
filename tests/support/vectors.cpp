// Reads protocol vectors and files for tests.
#include "tests/support/vectors.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace hodi::test {

namespace {
std::filesystem::path env_path(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::filesystem::path(value)
                                              : std::filesystem::path(fallback);
}
}  // namespace

std::filesystem::path source_dir() { return env_path("HODI_SOURCE_DIR", "."); }

std::filesystem::path vectors_dir() {
    return env_path("HODI_VECTORS_DIR", "tests/vectors");
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) FAIL("cannot read " << path.string());
    std::ostringstream contents;
    contents << file.rdbuf();
    return contents.str();
}

boost::json::value load_vector(std::string_view file) {
    const std::string text = read_file(vectors_dir() / std::string(file));
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec) FAIL("vector " << file << " is not JSON: " << ec.message());
    return value;
}

TempDir::TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = base / ("hodi-test-" + std::to_string(random()));
        if (std::filesystem::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
    FAIL("cannot create a temp directory under " << base.string());
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::uint64_t seed_from_environment() {
    if (const char* seed = std::getenv("HODI_SEED"); seed != nullptr && *seed != '\0') {
        return std::strtoull(seed, nullptr, 10);
    }
    return std::random_device{}();
}

}  // namespace hodi::test
