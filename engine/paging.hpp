// Splitting a screen that is over budget into pages. Pure arithmetic over GSM-7 lengths; the
// caller (render.cpp) decides what the lines and footers are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hodi::engine {

// A half-open range of a page: item indices for a list, byte offsets for a text.
struct PageSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// The footer a page shows, given its index and whether more pages follow it.
using FooterFn = std::function<std::string(std::uint16_t page, bool more_follows)>;

// Pages of a list screen: every page shows `title`, some items and its footer, one line each.
// Pages are filled greedily; an item that fits no page alone still gets a page of its own (the
// renderer cuts it). Never empty: a list without items has one empty page.
std::vector<PageSpan> paginate_list(std::size_t title_septets,
                                    const std::vector<std::size_t>& item_septets,
                                    std::size_t budget, const FooterFn& footer);

// Pages of a text screen: each page is a piece of `text` above its footer. Pieces end at a line
// break or a space where one is near enough, else mid-word.
std::vector<PageSpan> paginate_text(std::string_view text, std::size_t budget,
                                    const FooterFn& footer);

// Septets of lines joined with '\n' (an empty line still takes its line).
std::size_t joined_septets(std::size_t septets_sum, std::size_t line_count);

}  // namespace hodi::engine
