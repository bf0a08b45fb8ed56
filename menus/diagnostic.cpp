// Formatting of menu diagnostics.
#include "menus/diagnostic.hpp"

namespace hodi::menus {

std::string to_string(const Diagnostic& diagnostic) {
    std::string line = diagnostic.file;
    if (diagnostic.line > 0) {
        line += ':' + std::to_string(diagnostic.line) + ':' + std::to_string(diagnostic.column);
    }
    line += ": ";
    line += diagnostic.message;
    return line;
}

std::string to_string(const std::vector<Diagnostic>& diagnostics) {
    std::string lines;
    for (const Diagnostic& diagnostic : diagnostics) {
        lines += to_string(diagnostic);
        lines += '\n';
    }
    return lines;
}

}  // namespace hodi::menus
