// Internal to menus/: the state of one compile — the menu being built, every diagnostic so
// far, and the cross-references (targets, templates) checked once all nodes are read.
// Not thread-safe; one Compilation lives for one load_menu_text() call.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/action.hpp"
#include "engine/menu.hpp"
#include "menus/diagnostic.hpp"

namespace hodi::menus::detail {

// A 1-based place in the file; {0, 0} when unknown.
struct Where {
    int line = 0;
    int column = 0;
};
Where where_of(const YAML::Node& node);
Where where_of(const YAML::Mark& mark);

// A text and where each of its translations was written, for pointing at the one that is
// too long or holds a bad character.
struct SourcedText {
    engine::Text text;
    std::array<Where, engine::language_count> where;
};

// A link from one node to another, checked once every node id is known.
struct TargetRef {
    std::string from;    ///< node id holding the link
    std::string target;  ///< node id it names
    Where where;
};

// A string that may hold `{variable}` templates, checked once every variable is known.
struct TemplateRef {
    std::string text;
    Where where;
    bool shown = true;  ///< shown on screen (so it must not reveal a PIN) or an action argument
};

class Compilation {
public:
    Compilation(std::string file, const std::vector<engine::ActionSpec>& actions)
        : file_(std::move(file)), actions_(actions) {}

    void error(Where where, std::string message);
    void error(const YAML::Node& node, std::string message) { error(where_of(node), message); }

    // Reports every key of `map` not in `allowed` ("unknown key 'nxt' in node 'x'; did you
    // mean 'next'?"), and every key given twice.
    void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                    std::string_view what);
    // Whether `node` is a map; reports it when not.
    bool expect_map(const YAML::Node& node, const YAML::Node& owner, std::string_view what);

    // A scalar's value; reports a missing or non-scalar value at `owner` or at the value.
    std::optional<std::string> scalar(const YAML::Node& node, const YAML::Node& owner,
                                      std::string_view what);
    // A whole number within [min, max].
    std::optional<long long> integer(const YAML::Node& node, std::string_view what,
                                     long long min, long long max);
    std::optional<bool> boolean(const YAML::Node& node, std::string_view what);

    // A bilingual text: a map with a non-empty `en` and `sw`, GSM-7 only. Its templates are
    // recorded for the variable check.
    std::optional<SourcedText> text(const YAML::Node& node, const YAML::Node& owner,
                                    std::string_view what);

    // Records a template-bearing string; reports an unclosed `{` or a malformed name now.
    void record_templates(std::string_view text, Where where, bool shown);
    void link(std::string from, std::string target, Where where) {
        targets_.push_back({std::move(from), std::move(target), where});
    }
    void define_variable(std::string name) { variables_.insert(std::move(name)); }
    void define_secret(std::string name) { secrets_.insert(std::move(name)); }

    const engine::ActionSpec* find_action(std::string_view name) const;
    std::vector<std::string> action_names() const;

    // Cross-reference passes, run after every node is read (lint_passes.cpp).
    void check_targets(const std::map<std::string, Where>& node_where, Where start_where);
    void check_templates();

    engine::Menu& menu() { return menu_; }
    const std::string& file() const { return file_; }
    std::vector<Diagnostic> take_diagnostics();
    std::size_t error_count() const { return diagnostics_.size(); }

private:
    std::string file_;
    const std::vector<engine::ActionSpec>& actions_;
    engine::Menu menu_;
    std::vector<Diagnostic> diagnostics_;
    std::vector<TargetRef> targets_;
    std::vector<TemplateRef> templates_;
    std::set<std::string, std::less<>> variables_{"phone", "language"};
    std::set<std::string, std::less<>> secrets_;
};

// One node (compile_nodes.cpp): `key` is its id as written, `body` its map.
void compile_node(Compilation& compilation, const YAML::Node& key, const YAML::Node& body);

// An input node's `check:` (compile_check.cpp); the scalar `amount` or a map.
std::optional<engine::InputCheck> compile_check(Compilation& compilation,
                                                const YAML::Node& check);

// Reports a screen text that cannot fit one page with what the engine adds around it
// (screen_budget.cpp). `extra` is the text the engine adds per language besides the footer.
enum class Footer : std::uint8_t { none, back_home, back_home_more };
void check_fits(Compilation& compilation, const SourcedText& text, std::string_view what,
                Footer footer, const std::array<std::size_t, engine::language_count>& extra = {});

}  // namespace hodi::menus::detail
