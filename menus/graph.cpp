// Graph output for `hodi graph`: DOT for Graphviz, or plain text for a terminal.
#include "menus/graph.hpp"

#include <algorithm>
#include <deque>
#include <set>

namespace hodi::menus {

namespace {

struct Edge {
    std::string label;
    std::string target;
};

struct Vertex {
    const engine::Node* node;
    std::string kind;
    std::string title;  ///< English title, prompt, text or action name
    std::vector<Edge> edges;
};

Vertex describe(const engine::Node& node) {
    Vertex vertex{&node, {}, {}, {}};
    const auto en = engine::Language::en;
    if (const auto* menu = std::get_if<engine::MenuNode>(&node.body)) {
        vertex = {&node, "menu", menu->title.in(en), {}};
        for (const engine::Option& option : menu->options) {
            vertex.edges.push_back({option.key, option.target});
        }
    } else if (const auto* input = std::get_if<engine::InputNode>(&node.body)) {
        vertex = {&node, "input", input->prompt.in(en), {{"entry", input->target}}};
    } else if (const auto* action = std::get_if<engine::ActionNode>(&node.body)) {
        vertex = {&node, "action", action->action, {}};
        for (const auto& [outcome, target] : action->on) vertex.edges.push_back({outcome, target});
        if (!action->otherwise.empty()) vertex.edges.push_back({"otherwise", action->otherwise});
    } else if (const auto* end = std::get_if<engine::EndNode>(&node.body)) {
        vertex = {&node, "end", end->text.in(en), {}};
    } else if (const auto* language = std::get_if<engine::LanguageNode>(&node.body)) {
        vertex = {&node, "language", language->title.in(en), {{"choice", language->target}}};
    }
    return vertex;
}

// Breadth-first from the root, then any node not reached (a menu built in code), by id.
std::vector<Vertex> vertices(const engine::Menu& menu) {
    std::vector<Vertex> ordered;
    std::set<std::string, std::less<>> seen;
    std::deque<std::string> queue;
    if (menu.find(menu.root) != nullptr) {
        queue.push_back(menu.root);
        seen.insert(menu.root);
    }
    std::vector<std::string> rest;
    for (const auto& [id, node] : menu.nodes) rest.push_back(id);
    std::sort(rest.begin(), rest.end());
    std::size_t next_rest = 0;
    while (!queue.empty() || next_rest < rest.size()) {
        if (queue.empty()) {
            const std::string& id = rest[next_rest++];
            if (seen.insert(id).second) queue.push_back(id);
            continue;
        }
        const engine::Node* node = menu.find(queue.front());
        queue.pop_front();
        if (node == nullptr) continue;
        ordered.push_back(describe(*node));
        for (const Edge& edge : ordered.back().edges) {
            if (menu.find(edge.target) != nullptr && seen.insert(edge.target).second) {
                queue.push_back(edge.target);
            }
        }
    }
    return ordered;
}

// A DOT string literal: quotes and backslashes escaped, line breaks shown as "\n".
std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string one_line(std::string_view text, std::size_t chars_max) {
    std::string line(text.substr(0, chars_max));
    std::replace(line.begin(), line.end(), '\n', ' ');
    if (text.size() > chars_max) line += "...";
    return line;
}

const char* shape_of(std::string_view kind) {
    if (kind == "menu") return "box";
    if (kind == "input") return "parallelogram";
    if (kind == "action") return "ellipse";
    if (kind == "end") return "octagon";
    return "house";
}

}  // namespace

std::string graph_dot(const engine::Menu& menu) {
    std::string out = "digraph " + quoted(menu.name) + " {\n";
    out += "    rankdir=LR;\n    node [fontname=\"Helvetica\", fontsize=10];\n";
    out += "    edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (const Vertex& vertex : vertices(menu)) {
        const std::string& id = vertex.node->id;
        out += "    " + quoted(id) + " [shape=" + shape_of(vertex.kind) + ", label=" +
               quoted(id + "\n" + vertex.kind + ": " + one_line(vertex.title, 40));
        if (id == menu.root) out += ", peripheries=2";
        if (vertex.node->irreversible) out += ", style=bold";
        out += "];\n";
        for (const Edge& edge : vertex.edges) {
            out += "    " + quoted(id) + " -> " + quoted(edge.target) + " [label=" +
                   quoted(edge.label) + "];\n";
        }
    }
    out += "}\n";
    return out;
}

std::string graph_text(const engine::Menu& menu) {
    std::string out;
    for (const Vertex& vertex : vertices(menu)) {
        const std::string& id = vertex.node->id;
        out += id + " [" + vertex.kind + (vertex.node->irreversible ? ", irreversible" : "") +
               "] " + one_line(vertex.title, 60) + "\n";
        for (const Edge& edge : vertex.edges) {
            out += "  " + edge.label + " -> " + edge.target + "\n";
        }
    }
    return out;
}

}  // namespace hodi::menus
