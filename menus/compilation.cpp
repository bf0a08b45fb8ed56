// Reading YAML values with diagnostics: keys, scalars, numbers and bilingual texts.
#include "menus/compilation.hpp"

#include <algorithm>
#include <charconv>

#include "menus/suggest.hpp"
#include "menus/text_metrics.hpp"

namespace hodi::menus::detail {

Where where_of(const YAML::Mark& mark) {
    if (mark.is_null() || mark.line < 0) return {};
    return {mark.line + 1, mark.column + 1};
}

Where where_of(const YAML::Node& node) {
    if (!node.IsDefined()) return {};
    return where_of(node.Mark());
}

void Compilation::error(Where where, std::string message) {
    diagnostics_.push_back({file_, where.line, where.column, std::move(message)});
}

std::vector<Diagnostic> Compilation::take_diagnostics() {
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& left, const Diagnostic& right) {
                         if (left.line != right.line) return left.line < right.line;
                         return left.column < right.column;
                     });
    return std::move(diagnostics_);
}

void Compilation::check_keys(const YAML::Node& map,
                             std::initializer_list<std::string_view> allowed,
                             std::string_view what) {
    const std::vector<std::string> known(allowed.begin(), allowed.end());
    std::set<std::string, std::less<>> seen;
    for (auto entry = map.begin(); entry != map.end(); ++entry) {
        const YAML::Node key = entry->first;  // a copy: the iterator's proxy dies here
        if (!key.IsScalar()) {
            error(key, "a key in " + std::string(what) + " must be a plain word");
            continue;
        }
        const std::string& name = key.Scalar();
        if (!seen.insert(name).second) {
            error(key, "key '" + name + "' is given twice in " + std::string(what));
        } else if (std::find(known.begin(), known.end(), name) == known.end()) {
            error(key, "unknown key '" + name + "' in " + std::string(what) +
                           did_you_mean(name, known));
        }
    }
}

bool Compilation::expect_map(const YAML::Node& node, const YAML::Node& owner,
                             std::string_view what) {
    if (node.IsMap()) return true;
    error(node.IsDefined() && !node.IsNull() ? node : owner,
          std::string(what) + " must be a map of `key: value` lines");
    return false;
}

std::optional<std::string> Compilation::scalar(const YAML::Node& node, const YAML::Node& owner,
                                               std::string_view what) {
    if (!node.IsDefined() || node.IsNull()) {
        error(owner, std::string(what) + " is missing");
        return std::nullopt;
    }
    if (!node.IsScalar()) {
        error(node, std::string(what) + " must be a single value, not a list or map");
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<long long> Compilation::integer(const YAML::Node& node, std::string_view what,
                                              long long min, long long max) {
    if (!node.IsScalar()) {
        error(node, std::string(what) + " must be a whole number");
        return std::nullopt;
    }
    const std::string& value = node.Scalar();
    long long number = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size()) {
        error(node, std::string(what) + " must be a whole number, not '" + value + "'");
        return std::nullopt;
    }
    if (number < min || number > max) {
        error(node, std::string(what) + " must be between " + std::to_string(min) + " and " +
                        std::to_string(max) + ", not " + value);
        return std::nullopt;
    }
    return number;
}

std::optional<bool> Compilation::boolean(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar()) {
        const std::string& value = node.Scalar();
        if (value == "true" || value == "yes") return true;
        if (value == "false" || value == "no") return false;
    }
    error(node, std::string(what) + " must be true or false");
    return std::nullopt;
}

std::optional<SourcedText> Compilation::text(const YAML::Node& node, const YAML::Node& owner,
                                             std::string_view what) {
    if (!node.IsDefined() || node.IsNull()) {
        error(owner, std::string(what) + " is missing");
        return std::nullopt;
    }
    if (!node.IsMap()) {
        error(node, std::string(what) + " needs a translation per language, e.g. " +
                        "{en: \"Balance\", sw: \"Salio\"}");
        return std::nullopt;
    }
    check_keys(node, {"en", "sw"}, what);
    SourcedText result;
    bool complete = true;
    for (std::size_t index = 0; index < engine::language_count; ++index) {
        const std::string code(engine::language_codes[index]);
        const YAML::Node value = node[code];
        if (!value.IsDefined() || value.IsNull() || (value.IsScalar() && value.Scalar().empty())) {
            error(value.IsDefined() && !value.IsNull() ? value : node,
                  std::string(what) + " has no '" + code + "' translation");
            complete = false;
            continue;
        }
        if (!value.IsScalar()) {
            error(value, std::string(what) + " (" + code + ") must be text");
            complete = false;
            continue;
        }
        result.text.by_language[index] = value.Scalar();
        result.where[index] = where_of(value);
        record_templates(value.Scalar(), result.where[index], true);
    }
    if (!complete) return std::nullopt;
    return result;
}

void Compilation::record_templates(std::string_view text, Where where, bool shown) {
    // Templates are checked against GSM-7 without their braces: `{amount}` is replaced by a
    // value at run time, and the braces themselves never reach the handset.
    std::string shown_text;
    std::size_t position = 0;
    bool valid = true;
    while (position < text.size()) {
        const std::size_t open = text.find('{', position);
        shown_text.append(text.substr(position, open - position));
        if (open == std::string_view::npos) break;
        const std::size_t close = text.find('}', open);
        const std::string_view name =
            close == std::string_view::npos ? text.substr(open + 1) : text.substr(open + 1,
                                                                                close - open - 1);
        const bool well_formed =
            close != std::string_view::npos && !name.empty() &&
            std::all_of(name.begin(), name.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            });
        if (!well_formed) {
            error(where, "template '{" + std::string(name.substr(0, 20)) +
                             "' must be a variable name in braces, like {amount}");
            valid = false;
            break;
        }
        position = close + 1;
    }
    if (valid && text.find('{') != std::string_view::npos) {
        templates_.push_back({std::string(text), where, shown});
    }
    if (!shown) return;
    if (const auto bad = first_non_gsm7(shown_text)) {
        error(where, "character " + describe_char(*bad) +
                         " is not in the GSM-7 basic set; AT telcos cannot show it");
    }
}

const engine::ActionSpec* Compilation::find_action(std::string_view name) const {
    for (const engine::ActionSpec& spec : actions_) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

std::vector<std::string> Compilation::action_names() const {
    std::vector<std::string> names;
    names.reserve(actions_.size());
    for (const engine::ActionSpec& spec : actions_) names.push_back(spec.name);
    return names;
}

}  // namespace hodi::menus::detail
