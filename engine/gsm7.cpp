// GSM 03.38 default alphabet and extension table, measured over UTF-8 text.
#include "engine/gsm7.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

namespace hodi::engine {
namespace {

// The basic alphabet beyond printable ASCII, sorted for binary search.
constexpr char32_t basic_non_ascii[] = {
    0x00A1, 0x00A3, 0x00A4, 0x00A5, 0x00A7, 0x00BF, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
    0x00C9, 0x00D1, 0x00D6, 0x00D8, 0x00DC, 0x00DF, 0x00E0, 0x00E4, 0x00E5, 0x00E6,
    0x00E8, 0x00E9, 0x00EC, 0x00F1, 0x00F2, 0x00F6, 0x00F8, 0x00F9, 0x00FC, 0x0393,
    0x0394, 0x0398, 0x039B, 0x039E, 0x03A0, 0x03A3, 0x03A6, 0x03A8, 0x03A9};

constexpr char32_t replacement_char = 0xFFFD;

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

// The ASCII look-alike of a typographic character, or 0 when there is none.
char ascii_lookalike(char32_t c) {
    switch (c) {
        case 0x2018: case 0x2019: case 0x201A: case 0x2032: return '\'';
        case 0x201C: case 0x201D: case 0x201E: case 0x2033: return '"';
        case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212: return '-';
        case 0x00A0: case 0x2007: case 0x202F: return ' ';
        case 0x2026: return '.';
        default: return 0;
    }
}

std::size_t septets_of(char32_t c) { return is_gsm7_extension(c) ? 2 : 1; }

// Septets of each ASCII byte (2 for the extension table's), so that measuring the screens'
// ASCII text, which every hop does several times, costs one load a byte.
const std::array<std::uint8_t, 0x80> ascii_septets = [] {
    std::array<std::uint8_t, 0x80> table{};
    for (char32_t c = 0; c < 0x80; ++c) table[c] = static_cast<std::uint8_t>(septets_of(c));
    return table;
}();

// The septets of the character at `index`, which moves past it.
std::size_t septets_at(std::string_view utf8, std::size_t& index) {
    const auto byte = static_cast<unsigned char>(utf8[index]);
    if (byte < 0x80) {
        ++index;
        return ascii_septets[byte];
    }
    return septets_of(next_utf8_char(utf8, index));
}

}  // namespace

bool is_gsm7_basic(char32_t c) {
    if (c == '\n' || c == '\r') return true;
    if (c >= 0x20 && c < 0x7F) {
        // Printable ASCII except the backtick and the characters that live in the extension table.
        return c != '`' && !is_gsm7_extension(c);
    }
    return std::binary_search(std::begin(basic_non_ascii), std::end(basic_non_ascii), c);
}

bool is_gsm7_extension(char32_t c) {
    switch (c) {
        case '^': case '{': case '}': case '\\': case '[': case ']': case '~': case '|':
        case 0x0C: case 0x20AC:
            return true;
        default:
            return false;
    }
}

char32_t next_utf8_char(std::string_view utf8, std::size_t& index) {
    const auto lead = static_cast<unsigned char>(utf8[index]);
    if (lead < 0x80) {
        ++index;
        return lead;
    }
    std::size_t extra = 0;
    char32_t c = 0;
    if ((lead & 0xE0) == 0xC0) {
        extra = 1;
        c = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2;
        c = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        extra = 3;
        c = lead & 0x07;
    } else {
        ++index;
        return replacement_char;
    }
    if (index + extra >= utf8.size()) {
        ++index;
        return replacement_char;
    }
    for (std::size_t offset = 1; offset <= extra; ++offset) {
        const auto next = static_cast<unsigned char>(utf8[index + offset]);
        if ((next & 0xC0) != 0x80) {
            ++index;
            return replacement_char;
        }
        c = (c << 6) | (next & 0x3F);
    }
    index += extra + 1;
    return c;
}

bool is_gsm7_basic(std::string_view utf8) {
    for (std::size_t index = 0; index < utf8.size();) {
        if (!is_gsm7_basic(next_utf8_char(utf8, index))) return false;
    }
    return true;
}

bool is_gsm7(std::string_view utf8) {
    for (std::size_t index = 0; index < utf8.size();) {
        const char32_t c = next_utf8_char(utf8, index);
        if (!is_gsm7_basic(c) && !is_gsm7_extension(c)) return false;
    }
    return true;
}

std::size_t gsm7_length(std::string_view utf8) {
    std::size_t septets = 0;
    for (std::size_t index = 0; index < utf8.size();) septets += septets_at(utf8, index);
    return septets;
}

std::size_t gsm7_prefix_bytes(std::string_view utf8, std::size_t septets_max) {
    // Every byte is at least one septet, so a text of no more bytes than the budget fits whole
    // unless it holds extension characters: measure it only when that could matter.
    if (utf8.size() * 2 <= septets_max) return utf8.size();
    std::size_t septets = 0;
    std::size_t index = 0;
    while (index < utf8.size()) {
        std::size_t next = index;
        septets += septets_at(utf8, next);
        if (septets > septets_max) break;
        index = next;
    }
    return index;
}

std::string gsm7_safe(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t index = 0; index < utf8.size();) {
        const char32_t c = next_utf8_char(utf8, index);
        if (is_gsm7_basic(c) || is_gsm7_extension(c)) {
            append_utf8(out, c);
        } else if (const char ascii = ascii_lookalike(c); ascii != 0) {
            out.push_back(ascii);
        } else {
            out.push_back('?');
        }
    }
    return out;
}

}  // namespace hodi::engine
