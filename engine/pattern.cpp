// Compiling and matching a regex check's pattern.
#include "engine/pattern.hpp"

#include <regex>
#include <utility>

namespace hodi::engine {

struct Pattern::Compiled {
    std::regex regex;
};

Pattern::Pattern(std::string text)
    : text_(std::move(text)),
      compiled_(
          std::make_shared<const Compiled>(Compiled{std::regex(text_, std::regex::ECMAScript)})) {}

bool Pattern::matches(std::string_view entry) const {
    return std::regex_match(entry.begin(), entry.end(), compiled_->regex);
}

}  // namespace hodi::engine
