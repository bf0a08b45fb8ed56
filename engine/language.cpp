// Language codes.
#include "engine/language.hpp"

namespace hodi::engine {

std::optional<Language> parse_language(std::string_view code) {
    for (std::size_t index = 0; index < language_codes.size(); ++index) {
        if (language_codes[index] == code) return static_cast<Language>(index);
    }
    return std::nullopt;
}

std::string_view language_code(Language language) {
    return language_codes[static_cast<std::size_t>(language)];
}

}  // namespace hodi::engine
