// Screen lengths and GSM-7 vetting for lint, on top of the engine's GSM-7 helpers so lint and
// the renderer count alike.
#include "menus/text_metrics.hpp"

#include <array>
#include <cstdio>

#include "engine/gsm7.hpp"

namespace hodi::menus {

std::size_t char_count(std::string_view utf8) { return engine::gsm7_length(utf8); }

bool is_gsm7_basic(char32_t code_point) { return engine::is_gsm7_basic(code_point); }

std::optional<char32_t> first_non_gsm7(std::string_view utf8) {
    for (std::size_t index = 0; index < utf8.size();) {
        const char32_t code_point = engine::next_utf8_char(utf8, index);
        if (!engine::is_gsm7_basic(code_point)) return code_point;
    }
    return std::nullopt;
}

std::string describe_char(char32_t code_point) {
    std::string encoded;
    if (code_point < 0x80) {
        encoded += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        encoded += static_cast<char>(0xC0 | (code_point >> 6));
        encoded += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        encoded += static_cast<char>(0xE0 | (code_point >> 12));
        encoded += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        encoded += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        encoded += static_cast<char>(0xF0 | (code_point >> 18));
        encoded += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        encoded += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        encoded += static_cast<char>(0x80 | (code_point & 0x3F));
    }
    std::array<char, 16> hex{};
    std::snprintf(hex.data(), hex.size(), "U+%04X", static_cast<unsigned>(code_point));
    if (code_point < 0x20) return std::string(hex.data());
    return "'" + encoded + "' (" + hex.data() + ")";
}

}  // namespace hodi::menus
