// Reading, or creating once, the PIN pepper.
#include "app/pepper.hpp"

#include <sodium.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "storage/bank/sql/private_files.hpp"

namespace hodi::app {

namespace {

constexpr std::size_t generated_pepper_bytes = 32;

PepperResult accept(std::string pepper, std::string source, bool created) {
    while (!pepper.empty() && (pepper.back() == '\n' || pepper.back() == '\r')) pepper.pop_back();
    if (pepper.size() < pin_pepper_chars_min) {
        return {std::nullopt,
                source + ": a PIN pepper needs at least " +
                    std::to_string(pin_pepper_chars_min) + " characters",
                false};
    }
    return {std::move(pepper), {}, created};
}

// Writes a new random pepper; O_EXCL so two processes starting at once cannot both create one
// (the loser reads the winner's).
PepperResult create(const std::filesystem::path& file) {
    if (sodium_init() < 0) return {std::nullopt, "libsodium failed to initialise", false};
    std::array<unsigned char, generated_pepper_bytes> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    std::array<char, generated_pepper_bytes * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
    if (file.has_parent_path()) (void)storage::create_private_folders(file.parent_path());
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return {std::nullopt, {}, false};
        return {std::nullopt, file.string() + ": cannot create: " + std::strerror(errno), false};
    }
    const std::string line = std::string(hex.data()) + '\n';
    const bool written = ::write(fd, line.data(), line.size()) ==
                         static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return {std::nullopt, file.string() + ": cannot write the pepper", false};
    return accept(hex.data(), file.string(), true);
}

PepperResult read_pepper(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) {
        return {std::nullopt, file.string() + ": cannot read the PIN pepper", false};
    }
    return accept(std::move(line), file.string(), false);
}

}  // namespace

PepperResult load_or_create_pepper(const std::optional<std::string>& from_environment,
                                   const std::filesystem::path& file) {
    if (from_environment) return accept(*from_environment, "HODI_PIN_PEPPER", false);
    if (!std::filesystem::exists(file)) {
        PepperResult created = create(file);
        if (created.pepper || !created.error.empty()) return created;
    }
    return read_pepper(file);
}

std::optional<std::string> existing_pepper(const std::filesystem::path& file) {
    if (const char* pepper = std::getenv("HODI_PIN_PEPPER"); pepper != nullptr && *pepper) {
        return accept(pepper, "HODI_PIN_PEPPER", false).pepper;
    }
    return read_pepper(file).pepper;
}

}  // namespace hodi::app
