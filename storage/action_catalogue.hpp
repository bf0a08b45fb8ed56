// The action catalogue: every action a menu may call, with its typed parameters, the
// outcomes it may answer and the variables it sets. One list shared by `hodi lint`, the menu
// loader and every ActionRunner, so a menu that lints clean calls actions that exist.
#pragma once

#include <string_view>
#include <vector>

#include "engine/action.hpp"

namespace hodi::storage {

// Every catalogued action. Each answers `error` when the store fails; those taking a PIN also
// answer `wrong_pin` (setting tries_left) and `locked`. Built once; safe from any thread.
const std::vector<engine::ActionSpec>& builtin_action_specs();

// The spec of one action, or nullptr for a name not in the catalogue.
const engine::ActionSpec* find_action_spec(std::string_view name);

}  // namespace hodi::storage
