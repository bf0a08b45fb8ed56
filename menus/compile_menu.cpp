// The top of a menu file: settings, navigation keys, system text overrides and the node map.
#include "menus/loader.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "menus/compilation.hpp"
#include "menus/suggest.hpp"

namespace hodi::menus {

namespace {

using detail::Compilation;
using detail::Where;

// The engine's own texts a menu may override under `texts:`, by YAML name.
struct SystemTextField {
    std::string_view name;
    engine::Text engine::SystemTexts::*member;
};
inline constexpr std::array<SystemTextField, 13> system_text_fields{{
    {"back", &engine::SystemTexts::back},
    {"home", &engine::SystemTexts::home},
    {"more", &engine::SystemTexts::more},
    {"invalid_choice", &engine::SystemTexts::invalid_choice},
    {"invalid_digits", &engine::SystemTexts::invalid_digits},
    {"invalid_amount", &engine::SystemTexts::invalid_amount},
    {"invalid_pin", &engine::SystemTexts::invalid_pin},
    {"invalid_phone", &engine::SystemTexts::invalid_phone},
    {"invalid_entry", &engine::SystemTexts::invalid_entry},
    {"too_many_tries", &engine::SystemTexts::too_many_tries},
    {"session_expired", &engine::SystemTexts::session_expired},
    {"cannot_go_back", &engine::SystemTexts::cannot_go_back},
    {"service_error", &engine::SystemTexts::service_error},
}};

// A content hash, so sessions can tell which version of a menu they began on. Not a security
// measure: FNV-1a is enough to tell edits apart.
std::string content_hash(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    std::array<char, 17> hex{};
    std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(hash));
    return std::string(hex.data(), 16);
}

bool is_digits(std::string_view value) {
    return !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
}

void compile_navigation(Compilation& compilation, const YAML::Node& root) {
    const YAML::Node node = root["navigation"];
    if (!node.IsDefined()) return;
    if (!compilation.expect_map(node, root, "navigation")) return;
    compilation.check_keys(node, {"back", "home", "more"}, "navigation");
    engine::NavigationKeys& keys = compilation.menu().navigation;
    for (auto [name, key] : {std::pair{"back", &keys.back}, std::pair{"home", &keys.home},
                             std::pair{"more", &keys.more}}) {
        const YAML::Node value = node[name];
        if (!value.IsDefined()) continue;
        const auto text = compilation.scalar(value, node, std::string("navigation ") + name);
        if (!text) continue;
        // Feature phones type digits, and AT joins entries with '*': anything else breaks.
        if (!is_digits(*text)) {
            compilation.error(value, std::string("navigation key ") + name +
                                         " must be digits, not '" + *text + "'");
            continue;
        }
        *key = *text;
    }
    if (keys.back == keys.home || keys.back == keys.more || keys.home == keys.more) {
        compilation.error(node, "navigation keys back, home and more must differ");
    }
}

void compile_system_texts(Compilation& compilation, const YAML::Node& root) {
    const YAML::Node node = root["texts"];
    if (!node.IsDefined()) return;
    if (!compilation.expect_map(node, root, "texts")) return;
    std::vector<std::string> names;
    for (const SystemTextField& field : system_text_fields) names.emplace_back(field.name);
    for (auto entry = node.begin(); entry != node.end(); ++entry) {
        const std::string name = entry->first.as<std::string>("");
        const auto* field = std::find_if(system_text_fields.begin(), system_text_fields.end(),
                                         [&](const SystemTextField& f) { return f.name == name; });
        if (field == system_text_fields.end()) {
            compilation.error(entry->first, "unknown text '" + name + "' in texts" +
                                                did_you_mean(name, names));
            continue;
        }
        if (auto text = compilation.text(entry->second, entry->first, "text '" + name + "'")) {
            compilation.menu().texts.*(field->member) = std::move(text->text);
        }
    }
}

void compile_settings(Compilation& compilation, const YAML::Node& root,
                      std::string_view file_name) {
    engine::Menu& menu = compilation.menu();
    menu.name = std::filesystem::path(file_name).stem().string();
    if (const YAML::Node name = root["menu"]; name.IsDefined()) {
        if (auto value = compilation.scalar(name, root, "menu")) menu.name = *value;
    }
    if (const YAML::Node chars = root["screen_chars"]; chars.IsDefined()) {
        const auto max = static_cast<long long>(engine::screen_chars_hard_max);
        if (auto value = compilation.integer(chars, "screen_chars", 40, max)) {
            menu.screen_chars = static_cast<std::size_t>(*value);
        }
    }
    if (const YAML::Node tries = root["input_tries"]; tries.IsDefined()) {
        if (auto value = compilation.integer(tries, "input_tries", 1, 10)) {
            menu.input_tries = static_cast<int>(*value);
        }
    }
    if (const YAML::Node timeout = root["session_timeout"]; timeout.IsDefined()) {
        // Longer than AT's own session limit would never be reached; shorter than one hop's
        // budget would expire sessions while hodi is still answering.
        if (auto value = compilation.integer(timeout, "session_timeout (seconds)",
                                             engine::hop_reply_budget.count() + 1,
                                             engine::session_ttl.count())) {
            menu.session_timeout = std::chrono::seconds(*value);
        }
    }
    if (const YAML::Node language = root["default_language"]; language.IsDefined()) {
        if (auto code = compilation.scalar(language, root, "default_language")) {
            if (auto parsed = engine::parse_language(*code)) {
                menu.default_language = *parsed;
            } else {
                compilation.error(language, "default_language '" + *code +
                                                "' is not a language hodi speaks (en, sw)");
            }
        }
    }
    compile_navigation(compilation, root);
    compile_system_texts(compilation, root);
}

// Reads every node; ids are checked for duplicates here because yaml-cpp keeps both copies
// of a repeated key and a lookup would silently pick the first.
std::map<std::string, Where> compile_nodes(Compilation& compilation, const YAML::Node& root) {
    std::map<std::string, Where> node_where;
    const YAML::Node nodes = root["nodes"];
    if (!nodes.IsDefined()) {
        compilation.error(root, "the menu has no `nodes:`");
        return node_where;
    }
    if (!compilation.expect_map(nodes, root, "nodes")) return node_where;
    for (auto entry = nodes.begin(); entry != nodes.end(); ++entry) {
        const YAML::Node key = entry->first;  // a copy: the iterator's proxy dies here
        if (!key.IsScalar() || key.Scalar().empty()) {
            compilation.error(key, "a node id must be a plain word");
            continue;
        }
        const std::string& id = key.Scalar();
        const auto [first, inserted] = node_where.emplace(id, detail::where_of(key));
        if (!inserted) {
            compilation.error(key, "duplicate node id '" + id + "' (first defined at line " +
                                       std::to_string(first->second.line) + ")");
            continue;
        }
        detail::compile_node(compilation, key, entry->second);
    }
    return node_where;
}

}  // namespace

LoadResult load_menu_text(std::string_view text, std::string_view file_name,
                          const std::vector<engine::ActionSpec>& actions) {
    Compilation compilation(std::string(file_name), actions);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& failure) {
        compilation.error(detail::where_of(failure.mark), "YAML syntax error: " + failure.msg);
        return {std::nullopt, compilation.take_diagnostics()};
    }
    if (!root.IsMap()) {
        compilation.error(Where{1, 1}, "a menu file must be a map with `start:` and `nodes:`");
        return {std::nullopt, compilation.take_diagnostics()};
    }
    compilation.check_keys(root,
                           {"menu", "start", "screen_chars", "input_tries", "session_timeout",
                            "default_language", "navigation", "texts", "nodes"},
                           "the menu");
    compile_settings(compilation, root, file_name);
    Where start_where{1, 1};
    if (const YAML::Node start = root["start"]; start.IsDefined()) {
        start_where = detail::where_of(start);
        if (auto id = compilation.scalar(start, root, "start")) compilation.menu().root = *id;
    } else {
        compilation.error(Where{1, 1}, "the menu has no `start:` node");
    }
    const auto node_where = compile_nodes(compilation, root);
    compilation.check_targets(node_where, start_where);
    compilation.check_templates();
    std::vector<Diagnostic> diagnostics = compilation.take_diagnostics();
    if (!diagnostics.empty()) return {std::nullopt, std::move(diagnostics)};
    compilation.menu().version = content_hash(text);
    return {std::move(compilation.menu()), {}};
}

LoadResult load_menu_file(const std::filesystem::path& path,
                          const std::vector<engine::ActionSpec>& actions) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return {std::nullopt, {{path.string(), 0, 0, "cannot read the menu file"}}};
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    return load_menu_text(contents.str(), path.string(), actions);
}

}  // namespace hodi::menus
