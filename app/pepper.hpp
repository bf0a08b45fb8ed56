// The PIN pepper: the server-side secret mixed into every PIN hash. It lives outside the
// database (a stolen hodi.db alone must not let anyone try the 10,000 PINs), in HODI_PIN_PEPPER
// or in a file that `hodi serve` creates on first start.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace hodi::app {

// Shortest pepper accepted, in characters; a generated one has 64 (32 random bytes as hex).
inline constexpr std::size_t pin_pepper_chars_min = 16;

struct PepperResult {
    std::optional<std::string> pepper;
    std::string error;  ///< set when pepper is not
    bool created = false;  ///< the file did not exist and was written now
};

// `from_environment` when set; else the file's first line; else a new random pepper written to
// `file` (mode 0600, parent folders created). Refuses a pepper shorter than the minimum.
PepperResult load_or_create_pepper(const std::optional<std::string>& from_environment,
                                   const std::filesystem::path& file);

// For the operator's commands: HODI_PIN_PEPPER when set, else the file's first line; never
// creates one. nullopt when there is none.
std::optional<std::string> existing_pepper(const std::filesystem::path& file);

}  // namespace hodi::app
