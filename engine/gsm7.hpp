// GSM-7 character set helpers: what a USSD screen may show and how long it is in septets.
// The engine pages screens with them; menus/ lint uses them to check authored texts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hodi::engine {

// True for a character of the GSM 03.38 default alphabet (one septet).
bool is_gsm7_basic(char32_t c);
// True for a character of the extension table (^{}[]~\|€ and form feed: two septets).
bool is_gsm7_extension(char32_t c);

// True when every character of the UTF-8 text is in the basic alphabet.
bool is_gsm7_basic(std::string_view utf8);
// True when every character is in the basic alphabet or the extension table.
bool is_gsm7(std::string_view utf8);

// Length in septets: extension characters count 2, every other character (even one outside
// GSM-7, which a screen would show as '?') counts 1.
std::size_t gsm7_length(std::string_view utf8);

// Bytes of the longest prefix of `utf8` whose length is at most `septets_max`; never splits a
// UTF-8 sequence, so the prefix is always valid text.
std::size_t gsm7_prefix_bytes(std::string_view utf8, std::size_t septets_max);

// Makes text safe for a handset: typographic quotes and dashes become their ASCII forms and any
// other character outside GSM-7 becomes '?'. Used on values that come from outside the menu.
std::string gsm7_safe(std::string_view utf8);

// Decodes one UTF-8 character at `utf8[index]` and advances `index`. A malformed byte decodes
// as U+FFFD and advances by one, so a loop over any input ends.
char32_t next_utf8_char(std::string_view utf8, std::size_t& index);

}  // namespace hodi::engine
