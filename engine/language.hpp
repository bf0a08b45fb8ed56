// The languages every subscriber-facing text is written in, and a text in all of them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hodi::engine {

enum class Language : std::uint8_t {
    en = 0,  ///< English
    sw = 1,  ///< Kiswahili
};
inline constexpr std::size_t language_count = 2;
inline constexpr std::array<std::string_view, language_count> language_codes{"en", "sw"};
// Each language named in itself, as a language picker lists them (in language_codes order).
inline constexpr std::array<std::string_view, language_count> language_names{"English",
                                                                             "Kiswahili"};

// "en" -> Language::en; nullopt for a code hodi does not speak.
std::optional<Language> parse_language(std::string_view code);
std::string_view language_code(Language language);

// One subscriber-facing text in every language. Menus guarantee (at load time) that no
// translation is empty, so `in()` never has to fall back.
struct Text {
    std::array<std::string, language_count> by_language;

    const std::string& in(Language language) const {
        return by_language[static_cast<std::size_t>(language)];
    }
    std::string& in(Language language) { return by_language[static_cast<std::size_t>(language)]; }
};

}  // namespace hodi::engine
