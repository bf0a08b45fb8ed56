// One problem found in a menu file, located the way compilers and editors expect
// (`file:line:col: message`), so an author can jump straight to it.
#pragma once

#include <string>
#include <vector>

namespace hodi::menus {

struct Diagnostic {
    std::string file;
    int line = 0;    ///< 1-based; 0 when the problem has no place (an unreadable file)
    int column = 0;  ///< 1-based
    std::string message;
};

// "hodi.yaml:42:7: node 'balance' links to unknown node 'balanse'".
std::string to_string(const Diagnostic& diagnostic);

// Every diagnostic on its own line, in order.
std::string to_string(const std::vector<Diagnostic>& diagnostics);

}  // namespace hodi::menus
