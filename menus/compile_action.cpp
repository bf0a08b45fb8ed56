// Action nodes, checked against the action's spec: its parameters (names, required ones,
// choice words), its outcomes (every `on:` branch must be one it can answer, and every
// outcome must lead somewhere) and the variables it sets.
#include <algorithm>

#include "menus/compilation.hpp"
#include "menus/suggest.hpp"

namespace hodi::menus::detail {

namespace {

std::string join(const std::vector<std::string>& words) {
    std::string joined;
    for (const std::string& word : words) {
        if (!joined.empty()) joined += ", ";
        joined += word;
    }
    return joined;
}

void compile_args(Compilation& compilation, const std::string& id, const YAML::Node& body,
                  const engine::ActionSpec* spec, engine::ActionNode& action) {
    const YAML::Node args = body["args"];
    if (args.IsDefined() && !args.IsNull() &&
        compilation.expect_map(args, body, "args of node '" + id + "'")) {
        std::vector<std::string> names;
        if (spec != nullptr) {
            for (const engine::ActionParam& param : spec->params) names.push_back(param.name);
        }
        for (auto entry = args.begin(); entry != args.end(); ++entry) {
            const std::string name = entry->first.as<std::string>("");
            auto value = compilation.scalar(entry->second, entry->first,
                                            "argument '" + name + "' of node '" + id + "'");
            if (!value) continue;
            compilation.record_templates(*value, where_of(entry->second), false);
            action.args.emplace(name, *value);
            if (spec == nullptr) continue;
            const auto param = std::find_if(spec->params.begin(), spec->params.end(),
                                            [&](const auto& p) { return p.name == name; });
            if (param == spec->params.end()) {
                compilation.error(entry->first, "action '" + spec->name +
                                                    "' has no parameter '" + name + "'" +
                                                    did_you_mean(name, names));
            } else if (param->type == engine::ParamType::choice &&
                       value->find('{') == std::string::npos &&
                       std::find(param->choices.begin(), param->choices.end(), *value) ==
                           param->choices.end()) {
                compilation.error(entry->second, "parameter '" + name + "' of action '" +
                                                     spec->name + "' takes one of " +
                                                     join(param->choices) + ", not '" + *value +
                                                     "'");
            }
        }
    }
    if (spec == nullptr) return;
    for (const engine::ActionParam& param : spec->params) {
        if (param.required && !action.args.contains(param.name)) {
            compilation.error(args.IsDefined() && !args.IsNull() ? args : body,
                              "action '" + spec->name + "' needs parameter '" + param.name +
                                  "' in node '" + id + "'");
        }
    }
}

void compile_branches(Compilation& compilation, const std::string& id, const YAML::Node& body,
                      const engine::ActionSpec* spec, engine::ActionNode& action) {
    const YAML::Node on = body["on"];
    if (on.IsDefined() && compilation.expect_map(on, body, "`on` of node '" + id + "'")) {
        for (auto entry = on.begin(); entry != on.end(); ++entry) {
            const std::string outcome = entry->first.as<std::string>("");
            auto target = compilation.scalar(entry->second, entry->first,
                                             "branch '" + outcome + "' of node '" + id + "'");
            if (spec != nullptr && std::find(spec->outcomes.begin(), spec->outcomes.end(),
                                             outcome) == spec->outcomes.end()) {
                compilation.error(entry->first, "action '" + spec->name + "' never answers '" +
                                                    outcome + "'; it answers " +
                                                    join(spec->outcomes));
            }
            if (!target) continue;
            if (!action.on.emplace(outcome, *target).second) {
                compilation.error(entry->first, "branch '" + outcome + "' is given twice");
            }
            compilation.link(id, *target, where_of(entry->second));
        }
    }
    if (const YAML::Node otherwise = body["otherwise"]; otherwise.IsDefined()) {
        if (auto target = compilation.scalar(otherwise, body, "`otherwise` of node '" + id +
                                                                  "'")) {
            action.otherwise = *target;
            compilation.link(id, *target, where_of(otherwise));
        }
    }
    if (spec == nullptr || !action.otherwise.empty()) return;
    std::vector<std::string> uncovered;
    for (const std::string& outcome : spec->outcomes) {
        if (!action.on.contains(outcome)) uncovered.push_back(outcome);
    }
    if (!uncovered.empty()) {
        compilation.error(body, "node '" + id + "' has no branch for " + join(uncovered) +
                                    " of action '" + spec->name +
                                    "'; add them under `on:` or set `otherwise:`");
    }
}

}  // namespace

void compile_action(Compilation& compilation, const std::string& id, const YAML::Node& body,
                    engine::Node& node) {
    compilation.check_keys(body, {"kind", "irreversible", "action", "args", "on", "otherwise"},
                           "node '" + id + "'");
    engine::ActionNode action;
    const YAML::Node name = body["action"];
    const engine::ActionSpec* spec = nullptr;
    if (auto value = compilation.scalar(name, body, "`action` of node '" + id + "'")) {
        action.action = *value;
        spec = compilation.find_action(*value);
        if (spec == nullptr) {
            compilation.error(name, "unknown action '" + *value + "'" +
                                        did_you_mean(*value, compilation.action_names()));
        } else {
            for (const std::string& output : spec->outputs) compilation.define_variable(output);
        }
    }
    compile_args(compilation, id, body, spec, action);
    compile_branches(compilation, id, body, spec, action);
    node.body = std::move(action);
}

}  // namespace hodi::menus::detail
