// The menu language's front door: YAML text or a file in, a compiled engine::Menu out, or
// every problem found in it at once. `hodi serve` refuses to start on diagnostics; `hodi lint`
// prints them. The language itself is described in menus/README.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/action.hpp"
#include "engine/menu.hpp"
#include "menus/diagnostic.hpp"

namespace hodi::menus {

// Either a menu (diagnostics empty) or the reasons there is none (menu empty).
struct LoadResult {
    std::optional<engine::Menu> menu;
    std::vector<Diagnostic> diagnostics;  ///< every error found, in file order

    bool ok() const { return menu.has_value(); }
    explicit operator bool() const { return ok(); }
};

// Compiles menu YAML. `file_name` is used in diagnostics and, by its stem, as the menu name
// when the file has no `menu:` key. Actions and their parameters and outcomes are checked
// against `actions` (storage::builtin_action_specs() or an ActionRunner's specs()).
LoadResult load_menu_text(std::string_view text, std::string_view file_name,
                          const std::vector<engine::ActionSpec>& actions);

// Reads and compiles a menu file; an unreadable file is one diagnostic without a line.
LoadResult load_menu_file(const std::filesystem::path& path,
                          const std::vector<engine::ActionSpec>& actions);

}  // namespace hodi::menus
