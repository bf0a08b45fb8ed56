// An input node's `check:`: which entries the engine accepts before moving on.
#include <charconv>
#include <regex>

#include "menus/compilation.hpp"
#include "menus/suggest.hpp"

namespace hodi::menus::detail {

namespace {

struct CheckKindName {
    std::string_view name;
    engine::CheckKind kind;
};
inline constexpr std::array<CheckKindName, 6> check_kinds{{
    {"any", engine::CheckKind::any},
    {"digits", engine::CheckKind::digits},
    {"amount", engine::CheckKind::amount},
    {"pin", engine::CheckKind::pin},
    {"phone", engine::CheckKind::phone},
    {"regex", engine::CheckKind::regex},
}};

std::optional<engine::CheckKind> parse_kind(Compilation& compilation, const YAML::Node& node,
                                            const std::string& name) {
    for (const CheckKindName& known : check_kinds) {
        if (known.name == name) return known.kind;
    }
    std::vector<std::string> names;
    for (const CheckKindName& known : check_kinds) names.emplace_back(known.name);
    compilation.error(node, "unknown check '" + name +
                                "' (any, digits, amount, pin, phone or regex)" +
                                did_you_mean(name, names));
    return std::nullopt;
}

// Shillings as written ("10", "70000", "99.50") to cents.
std::optional<std::int64_t> parse_shillings(std::string_view text) {
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    std::int64_t shillings = 0;
    const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), shillings);
    if (ec != std::errc() || end != whole.data() + whole.size() || shillings < 0 ||
        shillings > 1'000'000'000) {
        return std::nullopt;
    }
    std::int64_t cents = 0;
    if (dot != std::string_view::npos) {
        const std::string_view fraction = text.substr(dot + 1);
        if (fraction.empty() || fraction.size() > 2 ||
            fraction.find_first_not_of("0123456789") != std::string_view::npos) {
            return std::nullopt;
        }
        cents = std::stoll(std::string(fraction)) * (fraction.size() == 1 ? 10 : 1);
    }
    return shillings * 100 + cents;
}

void compile_amount_bounds(Compilation& compilation, const YAML::Node& check,
                           engine::InputCheck& result) {
    for (auto [key, bound] : {std::pair{"min", &result.min_cents},
                              std::pair{"max", &result.max_cents}}) {
        const YAML::Node value = check[key];
        if (!value.IsDefined()) continue;
        const auto cents = value.IsScalar() ? parse_shillings(value.Scalar()) : std::nullopt;
        if (!cents) {
            compilation.error(value, std::string("check ") + key +
                                         " must be shillings like 10 or 99.50");
            continue;
        }
        *bound = *cents;
    }
    if (check["max"].IsDefined() && result.min_cents > result.max_cents) {
        compilation.error(check["min"], "check min " + check["min"].Scalar() +
                                            " is more than max " + check["max"].Scalar());
    }
}

void compile_lengths(Compilation& compilation, const YAML::Node& check,
                     engine::InputCheck& result) {
    const auto limit = static_cast<long long>(engine::input_chars_max);
    if (const YAML::Node min = check["min_length"]; min.IsDefined()) {
        if (auto value = compilation.integer(min, "min_length", 1, limit)) {
            result.min_length = static_cast<std::size_t>(*value);
        }
    }
    if (const YAML::Node max = check["max_length"]; max.IsDefined()) {
        if (auto value = compilation.integer(max, "max_length", 1, limit)) {
            result.max_length = static_cast<std::size_t>(*value);
        }
    }
    if (result.min_length > result.max_length) {
        compilation.error(check["min_length"], "check min_length " +
                                                   std::to_string(result.min_length) +
                                                   " is more than max_length " +
                                                   std::to_string(result.max_length));
    }
}

void compile_pattern(Compilation& compilation, const YAML::Node& check,
                     engine::InputCheck& result) {
    const YAML::Node pattern = check["pattern"];
    auto text = compilation.scalar(pattern, check, "`pattern` of a regex check");
    if (!text) return;
    try {
        // The one compilation of this pattern: the menu keeps it, and every hop matches with it.
        result.pattern.emplace(*text);
    } catch (const std::regex_error& failure) {
        compilation.error(pattern, "pattern '" + *text + "' is not a valid regex: " +
                                       failure.what());
    }
}

}  // namespace

std::optional<engine::InputCheck> compile_check(Compilation& compilation,
                                                const YAML::Node& check) {
    engine::InputCheck result;
    if (check.IsScalar()) {
        auto kind = parse_kind(compilation, check, check.Scalar());
        if (!kind) return std::nullopt;
        if (*kind == engine::CheckKind::regex) {
            compilation.error(check, "a regex check needs a pattern: {kind: regex, pattern: ...}");
            return std::nullopt;
        }
        result.kind = *kind;
        return result;
    }
    if (!compilation.expect_map(check, check, "check")) return std::nullopt;
    const YAML::Node kind_node = check["kind"];
    const auto name = compilation.scalar(kind_node, check, "`kind` of check");
    if (!name) return std::nullopt;
    const auto kind = parse_kind(compilation, kind_node, *name);
    if (!kind) return std::nullopt;
    result.kind = *kind;
    const std::size_t errors_before = compilation.error_count();
    switch (*kind) {
        case engine::CheckKind::any:
        case engine::CheckKind::digits:
            compilation.check_keys(check, {"kind", "min_length", "max_length", "error"}, "check");
            compile_lengths(compilation, check, result);
            break;
        case engine::CheckKind::amount:
            compilation.check_keys(check, {"kind", "min", "max", "error"}, "check");
            compile_amount_bounds(compilation, check, result);
            break;
        case engine::CheckKind::pin:
            compilation.check_keys(check, {"kind", "length", "error"}, "check");
            if (const YAML::Node length = check["length"]; length.IsDefined()) {
                if (auto value = compilation.integer(length, "PIN length", 4, 8)) {
                    result.pin_length = static_cast<std::size_t>(*value);
                }
            }
            break;
        case engine::CheckKind::phone:
            compilation.check_keys(check, {"kind", "error"}, "check");
            break;
        case engine::CheckKind::regex:
            compilation.check_keys(check, {"kind", "pattern", "min_length", "max_length", "error"},
                                   "check");
            compile_lengths(compilation, check, result);
            compile_pattern(compilation, check, result);
            break;
    }
    if (const YAML::Node error = check["error"]; error.IsDefined()) {
        if (auto text = compilation.text(error, check, "error of check")) {
            result.error = std::move(text->text);
        }
    }
    if (compilation.error_count() != errors_before) return std::nullopt;
    return result;
}

}  // namespace hodi::menus::detail
