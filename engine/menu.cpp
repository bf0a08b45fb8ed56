// Node lookup in a compiled menu, and building the checks it holds.
#include "engine/menu.hpp"

#include <utility>

#include "engine/assert.hpp"

namespace hodi::engine {

InputCheck InputCheck::matching(std::string pattern) {
    InputCheck check;
    check.kind = CheckKind::regex;
    check.pattern.emplace(std::move(pattern));
    return check;
}

const Node* Menu::find(std::string_view id) const {
    const auto found = nodes.find(std::string(id));
    return found == nodes.end() ? nullptr : &found->second;
}

const Node& Menu::at(std::string_view id) const {
    const Node* node = find(id);
    HODI_ASSERT(node != nullptr);
    return *node;
}

}  // namespace hodi::engine
