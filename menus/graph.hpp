// The menu as a graph, for authors: which screen leads where, by which key or outcome.
// `hodi graph` prints it; pipe the DOT form through Graphviz (`dot -Tsvg`) to see it.
#pragma once

#include <string>

#include "engine/menu.hpp"

namespace hodi::menus {

// Graphviz DOT: one vertex per node, labelled with its id, kind and English title; one edge
// per option (labelled with its key), input or language step (labelled "entry"/"choice") and
// action outcome (labelled with the outcome, or "otherwise"). Nodes appear in the order a
// subscriber meets them, breadth-first from the start.
std::string graph_dot(const engine::Menu& menu);

// The same graph as indented plain text, one node per paragraph.
std::string graph_text(const engine::Menu& menu);

}  // namespace hodi::menus
