// "Did you mean ...?": the closest known name to a misspelt one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hodi::menus {

// The candidate nearest to `word` by edit distance, if it is near enough to be a plausible
// typo (at most a third of the word's length, and at least 1 edit); empty otherwise.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'balance'?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace hodi::menus
