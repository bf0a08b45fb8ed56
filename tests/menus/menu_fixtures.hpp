// Shared by the menu tests: a small action catalogue and helpers to load inline YAML.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "engine/action.hpp"
#include "menus/loader.hpp"

namespace hodi::test {

// Two actions shaped like the real catalogue's, so tests do not depend on storage/.
inline const std::vector<engine::ActionSpec>& test_actions() {
    static const std::vector<engine::ActionSpec> specs{
        {"balance",
         {{"pin", engine::ParamType::pin, true, {}}},
         {"ok", "wrong_pin", "locked", "error"},
         {"balance", "tries_left"}},
        {"savings.deposit",
         {{"goal", engine::ParamType::digits, true, {}},
          {"amount", engine::ParamType::amount, true, {}},
          {"source", engine::ParamType::choice, true, {"wallet", "mpesa"}},
          {"pin", engine::ParamType::pin, true, {}}},
         {"ok", "pending", "wrong_pin", "locked", "insufficient_funds", "error"},
         {"saved", "target"}},
    };
    return specs;
}

// Loads `text` as "t.yaml" against test_actions().
inline menus::LoadResult load(std::string_view text) {
    return menus::load_menu_text(text, "t.yaml", test_actions());
}

// Every diagnostic of loading `text`, formatted "file:line:col: message".
inline std::vector<std::string> errors_of(std::string_view text) {
    std::vector<std::string> lines;
    for (const menus::Diagnostic& diagnostic : load(text).diagnostics) {
        lines.push_back(menus::to_string(diagnostic));
    }
    return lines;
}

}  // namespace hodi::test

// Shows diagnostics one per line when a comparison fails.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
    static doctest::String convert(const std::vector<std::string>& lines) {
        std::string joined = "\n";
        for (const std::string& line : lines) joined += "  " + line + "\n";
        return joined.c_str();
    }
};
