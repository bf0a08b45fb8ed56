// UTF-8 decoding just deep enough to count characters and check them against GSM-7.
#include "menus/text_metrics.hpp"

#include <array>
#include <cstdio>

namespace hodi::menus {

namespace {

inline constexpr char32_t replacement_char = 0xFFFD;

// Decodes the code point starting at `index` and advances past it.
char32_t next_code_point(std::string_view utf8, std::size_t& index) {
    const auto lead = static_cast<unsigned char>(utf8[index]);
    std::size_t length = 1;
    char32_t value = lead;
    if (lead >= 0xF0) {
        length = 4;
        value = lead & 0x07U;
    } else if (lead >= 0xE0) {
        length = 3;
        value = lead & 0x0FU;
    } else if (lead >= 0xC0) {
        length = 2;
        value = lead & 0x1FU;
    } else if (lead >= 0x80) {
        ++index;
        return replacement_char;
    }
    if (index + length > utf8.size()) {
        ++index;
        return replacement_char;
    }
    for (std::size_t offset = 1; offset < length; ++offset) {
        const auto byte = static_cast<unsigned char>(utf8[index + offset]);
        if ((byte & 0xC0U) != 0x80U) {
            ++index;
            return replacement_char;
        }
        value = (value << 6U) | (byte & 0x3FU);
    }
    index += length;
    return value;
}

// The non-ASCII letters and signs of the GSM 03.38 basic table.
inline constexpr std::array<char32_t, 39> gsm7_basic_non_ascii{
    0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00D8, 0x00F8,
    0x00C5, 0x00E5, 0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3,
    0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6,
    0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

}  // namespace

std::size_t char_count(std::string_view utf8) {
    std::size_t count = 0;
    for (std::size_t index = 0; index < utf8.size();) {
        next_code_point(utf8, index);
        ++count;
    }
    return count;
}

bool is_gsm7_basic(char32_t code_point) {
    if (code_point == '\n' || code_point == '\r') return true;
    if (code_point >= 0x20 && code_point < 0x7F) {
        // Printable ASCII, except the few that live in the extension table or nowhere.
        switch (code_point) {
            case '`': case '[': case ']': case '{': case '}':
            case '\\': case '^': case '~': case '|':
                return false;
            default:
                return true;
        }
    }
    for (const char32_t allowed : gsm7_basic_non_ascii) {
        if (allowed == code_point) return true;
    }
    return false;
}

std::optional<char32_t> first_non_gsm7(std::string_view utf8) {
    for (std::size_t index = 0; index < utf8.size();) {
        const char32_t code_point = next_code_point(utf8, index);
        if (!is_gsm7_basic(code_point)) return code_point;
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
