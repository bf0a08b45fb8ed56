// A regex check's pattern, compiled once when the menu is built, so a hop never compiles one
// and the engine keeps no cache of them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hodi::engine {

// An ECMAScript pattern together with its compiled form; neither exists without the other.
// Immutable and thread-safe: copies share one compiled regex, and matching only reads it, so a
// Menu holding patterns can be copied cheaply and used from any number of threads at once.
class Pattern {
public:
    // Compiles `text`. Throws std::regex_error when it is not a valid ECMAScript pattern: menus
    // are built at startup or on reload, where a bad menu is refused before it is served.
    explicit Pattern(std::string text);

    // The pattern as written in the menu.
    const std::string& text() const { return text_; }

    // Whether `entry` matches the pattern as a whole, not merely somewhere inside.
    bool matches(std::string_view entry) const;

private:
    // Holds the std::regex, so that <regex> stays out of every file that includes menu.hpp.
    struct Compiled;

    std::string text_;
    std::shared_ptr<const Compiled> compiled_;
};

}  // namespace hodi::engine
