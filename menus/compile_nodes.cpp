// The five node kinds: menu, input, end, language (here) and action (compile_action.cpp).
#include <algorithm>

#include "menus/compilation.hpp"
#include "menus/suggest.hpp"

namespace hodi::menus::detail {

void compile_action(Compilation& compilation, const std::string& id, const YAML::Node& body,
                    engine::Node& node);

namespace {

inline constexpr std::array<std::string_view, 5> node_kinds{"menu", "input", "action", "end",
                                                            "language"};

bool is_variable_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// Links `id` to the node named by `body[key]`, reporting a missing or malformed value.
std::string read_target(Compilation& compilation, const std::string& id, const YAML::Node& body,
                        const char* key) {
    const YAML::Node value = body[key];
    auto target = compilation.scalar(value, body, std::string("`") + key + "` of node '" +
                                                      id + "'");
    if (!target) return {};
    compilation.link(id, *target, where_of(value));
    return *target;
}

// Checks an option's key against the other options and the navigation keys.
void check_option_key(Compilation& compilation, const std::string& id, const std::string& key,
                      Where where, std::map<std::string, int>& keys_seen) {
    const engine::NavigationKeys& navigation = compilation.menu().navigation;
    if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos) {
        compilation.error(where, "option key '" + key + "' in node '" + id + "' must be digits");
    } else if (key == navigation.back || key == navigation.home || key == navigation.more) {
        compilation.error(where, "option key '" + key + "' in node '" + id +
                                     "' clashes with a navigation key (back " + navigation.back +
                                     ", home " + navigation.home + ", more " +
                                     navigation.more + ")");
    } else if (const auto [seen, inserted] = keys_seen.emplace(key, where.line); !inserted) {
        compilation.error(where, "option key '" + key + "' in node '" + id +
                                     "' is already used by the option on line " +
                                     std::to_string(seen->second));
    }
}

void compile_option(Compilation& compilation, const std::string& id, const YAML::Node& item,
                    std::size_t index, std::map<std::string, int>& keys_seen,
                    engine::MenuNode& menu) {
    const std::string what = "option " + std::to_string(index + 1) + " of node '" + id + "'";
    if (!compilation.expect_map(item, item, what)) return;
    compilation.check_keys(item, {"label", "next", "key"}, what);
    engine::Option option;
    option.key = std::to_string(index + 1);
    Where key_where = where_of(item);
    if (const YAML::Node key = item["key"]; key.IsDefined()) {
        if (auto value = compilation.scalar(key, item, "key of " + what)) option.key = *value;
        key_where = where_of(key);
    }
    check_option_key(compilation, id, option.key, key_where, keys_seen);
    if (auto label = compilation.text(item["label"], item, "label of " + what)) {
        // Each option line must fit a page on its own, under the navigation footer.
        SourcedText line = *label;
        for (std::string& text : line.text.by_language) text = option.key + ". " + text;
        check_fits(compilation, line, "label of " + what, Footer::back_home_more);
        option.label = std::move(label->text);
    }
    option.target = read_target(compilation, id, item, "next");
    menu.options.push_back(std::move(option));
}

void compile_menu_node(Compilation& compilation, const std::string& id, const YAML::Node& body,
                       engine::Node& node) {
    compilation.check_keys(body, {"kind", "irreversible", "title", "options"},
                           "node '" + id + "'");
    engine::MenuNode menu;
    const std::string what = "title of node '" + id + "'";
    if (auto title = compilation.text(body["title"], body, what)) {
        check_fits(compilation, *title, what, Footer::back_home_more);
        menu.title = std::move(title->text);
    }
    const YAML::Node options = body["options"];
    if (!options.IsSequence() || options.size() == 0) {
        compilation.error(options.IsDefined() && !options.IsNull() ? options : body,
                          "node '" + id + "' needs `options:`, a list of {label, next}");
    } else {
        std::map<std::string, int> keys_seen;
        for (std::size_t index = 0; index < options.size(); ++index) {
            compile_option(compilation, id, options[index], index, keys_seen, menu);
        }
    }
    node.body = std::move(menu);
}

void compile_input_node(Compilation& compilation, const std::string& id, const YAML::Node& body,
                        engine::Node& node) {
    compilation.check_keys(body, {"kind", "irreversible", "prompt", "check", "save_as", "next",
                                  "navigation"},
                           "node '" + id + "'");
    engine::InputNode input;
    if (const YAML::Node navigation = body["navigation"]; navigation.IsDefined()) {
        input.navigation = compilation.boolean(navigation, "navigation").value_or(true);
    }
    const std::string what = "prompt of node '" + id + "'";
    if (auto prompt = compilation.text(body["prompt"], body, what)) {
        check_fits(compilation, *prompt, what,
                   input.navigation ? Footer::back_home : Footer::none);
        input.prompt = std::move(prompt->text);
    }
    if (const YAML::Node check = body["check"]; check.IsDefined()) {
        if (auto compiled = compile_check(compilation, check)) input.check = std::move(*compiled);
    }
    const YAML::Node save_as = body["save_as"];
    if (auto name = compilation.scalar(save_as, body, "`save_as` of node '" + id + "'")) {
        if (!is_variable_name(*name) || *name == "phone" || *name == "language") {
            compilation.error(save_as, "save_as '" + *name + "' must be a new name of a-z, 0-9 "
                                       "and _ (phone and language are built in)");
        } else if (input.check.kind == engine::CheckKind::pin) {
            compilation.define_secret(*name);
        } else {
            compilation.define_variable(*name);
            if (input.check.kind == engine::CheckKind::amount) {
                compilation.define_variable(*name + "_cents");
            }
        }
        input.save_as = *name;
    }
    input.target = read_target(compilation, id, body, "next");
    node.body = std::move(input);
}

void compile_end_node(Compilation& compilation, const std::string& id, const YAML::Node& body,
                      engine::Node& node) {
    compilation.check_keys(body, {"kind", "irreversible", "text"}, "node '" + id + "'");
    engine::EndNode end;
    const std::string what = "text of node '" + id + "'";
    if (auto text = compilation.text(body["text"], body, what)) {
        check_fits(compilation, *text, what, Footer::none);
        end.text = std::move(text->text);
    }
    node.body = std::move(end);
}

void compile_language_node(Compilation& compilation, const std::string& id,
                           const YAML::Node& body, engine::Node& node) {
    compilation.check_keys(body, {"kind", "irreversible", "title", "next"}, "node '" + id + "'");
    engine::LanguageNode language;
    const std::string what = "title of node '" + id + "'";
    if (auto title = compilation.text(body["title"], body, what)) {
        // The engine lists the languages under the title, each in its own name.
        const std::size_t list = std::string_view("\n1. English\n2. Kiswahili").size();
        check_fits(compilation, *title, what, Footer::back_home, {list, list});
        language.title = std::move(title->text);
    }
    language.target = read_target(compilation, id, body, "next");
    node.body = std::move(language);
}

}  // namespace

void compile_node(Compilation& compilation, const YAML::Node& key, const YAML::Node& body) {
    const std::string id = key.Scalar();
    if (!compilation.expect_map(body, key, "node '" + id + "'")) return;
    const YAML::Node kind_node = body["kind"];
    const auto kind = compilation.scalar(kind_node, key, "`kind` of node '" + id + "'");
    if (!kind) return;
    engine::Node node;
    node.id = id;
    if (const YAML::Node irreversible = body["irreversible"]; irreversible.IsDefined()) {
        node.irreversible = compilation.boolean(irreversible, "irreversible").value_or(false);
    }
    if (*kind == "menu") {
        compile_menu_node(compilation, id, body, node);
    } else if (*kind == "input") {
        compile_input_node(compilation, id, body, node);
    } else if (*kind == "action") {
        compile_action(compilation, id, body, node);
    } else if (*kind == "end") {
        compile_end_node(compilation, id, body, node);
    } else if (*kind == "language") {
        compile_language_node(compilation, id, body, node);
    } else {
        const std::vector<std::string> kinds(node_kinds.begin(), node_kinds.end());
        compilation.error(kind_node, "unknown node kind '" + *kind + "' in node '" + id +
                                         "' (menu, input, action, end or language)" +
                                         did_you_mean(*kind, kinds));
        return;
    }
    compilation.menu().nodes.emplace(id, std::move(node));
}

}  // namespace hodi::menus::detail
