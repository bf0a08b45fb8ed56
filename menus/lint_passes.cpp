// Checks that need the whole file read first: links between nodes, reachability from the
// start node, and templates naming variables that something in the menu sets.
#include <algorithm>
#include <deque>

#include "menus/compilation.hpp"
#include "menus/suggest.hpp"

namespace hodi::menus::detail {

namespace {

// Every node id a node leads to, in the order an author reads them.
std::vector<std::string_view> successors(const engine::Node& node) {
    std::vector<std::string_view> next;
    if (const auto* menu = std::get_if<engine::MenuNode>(&node.body)) {
        for (const engine::Option& option : menu->options) next.push_back(option.target);
    } else if (const auto* input = std::get_if<engine::InputNode>(&node.body)) {
        next.push_back(input->target);
    } else if (const auto* action = std::get_if<engine::ActionNode>(&node.body)) {
        for (const auto& [outcome, target] : action->on) next.push_back(target);
        next.push_back(action->otherwise);
    } else if (const auto* language = std::get_if<engine::LanguageNode>(&node.body)) {
        next.push_back(language->target);
    }
    return next;
}

}  // namespace

void Compilation::check_targets(const std::map<std::string, Where>& node_where,
                                Where start_where) {
    std::vector<std::string> ids;
    for (const auto& [id, where] : node_where) ids.push_back(id);
    // A misspelt link is followed to the node it was probably meant for, so the one mistake
    // is not also reported as that node being unreachable.
    std::map<std::string, std::string, std::less<>> meant;
    for (const TargetRef& ref : targets_) {
        if (node_where.contains(ref.target)) continue;
        const std::string match = closest_match(ref.target, ids);
        error(ref.where, "node '" + ref.from + "' links to unknown node '" + ref.target + "'" +
                             (match.empty() ? "" : "; did you mean '" + match + "'?"));
        if (!match.empty()) meant.emplace(ref.target, match);
    }
    if (menu_.root.empty()) return;
    if (!node_where.contains(menu_.root)) {
        error(start_where, "start names unknown node '" + menu_.root + "'" +
                               did_you_mean(menu_.root, ids));
        return;
    }
    // Breadth-first from the start; nodes that failed to compile still count as visited so
    // one mistake does not cascade into "unreachable" reports.
    std::set<std::string, std::less<>> reached{menu_.root};
    std::deque<std::string_view> queue{menu_.root};
    while (!queue.empty()) {
        const engine::Node* node = menu_.find(queue.front());
        queue.pop_front();
        if (node == nullptr) continue;
        for (std::string_view next : successors(*node)) {
            if (const auto alias = meant.find(next); alias != meant.end()) next = alias->second;
            if (!next.empty() && reached.emplace(next).second) queue.push_back(next);
        }
    }
    for (const auto& [id, where] : node_where) {
        if (!reached.contains(id) && menu_.find(id) != nullptr) {
            error(where, "node '" + id + "' is never reached from start '" + menu_.root + "'");
        }
    }
}

void Compilation::check_templates() {
    std::vector<std::string> known(variables_.begin(), variables_.end());
    known.insert(known.end(), secrets_.begin(), secrets_.end());
    for (const TemplateRef& ref : templates_) {
        std::size_t open = ref.text.find('{');
        while (open != std::string::npos) {
            const std::size_t close = ref.text.find('}', open);
            const std::string name = ref.text.substr(open + 1, close - open - 1);
            if (secrets_.contains(name)) {
                // PINs may only travel to actions; the engine never keeps them for screens.
                if (ref.shown) {
                    error(ref.where, "text shows PIN variable '" + name +
                                         "'; a PIN may only be passed to an action");
                }
            } else if (!variables_.contains(name)) {
                error(ref.where, "template names unknown variable '" + name + "'" +
                                     did_you_mean(name, known));
            }
            open = ref.text.find('{', close);
        }
    }
}

}  // namespace hodi::menus::detail
