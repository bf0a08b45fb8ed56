// `{name}` templates in screen texts and action arguments.
#pragma once

#include <string>
#include <string_view>

#include "engine/session.hpp"

namespace hodi::engine {

inline constexpr std::string_view secret_mask = "****";  // what a screen shows for a secret

// Expands a text a subscriber will read: `{name}` becomes the variable's value made GSM-7 safe,
// a secret (a PIN) and `{pin}` become secret_mask, `{phone}` the owner's number in display form
// (0712345678), `{language}` the session's language code ("en", "sw"), and an unknown name
// nothing. The built-in `{phone}` wins over a variable of that
// name, so an entry can never make a screen claim a different owner.
std::string expand_for_screen(std::string_view text, const Session& session);

// Expands an action argument: the same names, but secrets give their real value and variables
// are passed as stored. The result may hold a PIN: never log it.
std::string expand_for_action(std::string_view text, const Session& session);

}  // namespace hodi::engine
