// Node lookup in a compiled menu.
#include "engine/menu.hpp"

#include "engine/assert.hpp"

namespace hodi::engine {

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
