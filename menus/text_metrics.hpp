// Counting and vetting screen text: characters as a handset shows them, and the GSM-7 basic
// set that AT's telcos can render (PROTOCOLS.md §1.4).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hodi::menus {

// Length on a screen, in GSM-7 septets as the engine pages them (engine::gsm7_length).
std::size_t char_count(std::string_view utf8);

// Whether a code point is in the GSM 03.38 basic table (extension-table characters such as
// `{ } [ ] ~ \ | ^ €` are not: they cost two septets and some handsets drop them).
bool is_gsm7_basic(char32_t code_point);

// The first character of `utf8` outside the GSM-7 basic set, or nullopt if there is none.
// A malformed UTF-8 sequence is reported as U+FFFD.
std::optional<char32_t> first_non_gsm7(std::string_view utf8);

// "'’' (U+2019)": how a diagnostic names a character.
std::string describe_char(char32_t code_point);

}  // namespace hodi::menus
