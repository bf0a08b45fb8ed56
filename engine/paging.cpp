// Greedy paging of list and text screens within a septet budget.
#include "engine/paging.hpp"

#include <algorithm>

#include "engine/gsm7.hpp"

namespace hodi::engine {
namespace {

bool is_break(char c) { return c == ' ' || c == '\n'; }

// How many septets a footer line adds to a page (its own length and the line break).
std::size_t footer_cost(const std::string& footer) {
    return footer.empty() ? 0 : gsm7_length(footer) + 1;
}

// Bytes of the next text piece, at most `room` septets, ending before a break when possible.
std::size_t text_piece_bytes(std::string_view rest, std::size_t room) {
    const std::size_t cut = std::max<std::size_t>(gsm7_prefix_bytes(rest, room), 1);
    if (cut >= rest.size() || is_break(rest[cut])) return std::min(cut, rest.size());
    std::size_t at = cut;
    while (at > 0 && !is_break(rest[at - 1])) --at;
    // A break in the first half would waste most of the page; cut the word instead.
    if (at <= 1 || at * 2 < cut) return cut;
    return at - 1;
}

}  // namespace

std::size_t joined_septets(std::size_t septets_sum, std::size_t line_count) {
    return line_count == 0 ? 0 : septets_sum + line_count - 1;
}

std::vector<PageSpan> paginate_list(std::size_t title_septets,
                                    const std::vector<std::size_t>& item_septets,
                                    std::size_t budget, const FooterFn& footer) {
    std::vector<PageSpan> pages;
    const std::size_t count = item_septets.size();
    std::size_t begin = 0;
    do {
        const auto page = static_cast<std::uint16_t>(pages.size());
        // The last page: everything left fits under the final footer.
        // Counted as if the title line is present: exact with one, one septet spare without.
        std::size_t sum = title_septets + footer_cost(footer(page, false));
        for (std::size_t index = begin; index < count; ++index) sum += item_septets[index] + 1;
        if (sum <= budget) {
            pages.push_back({begin, count});
            break;
        }
        sum = title_septets + footer_cost(footer(page, true));
        std::size_t end = begin;
        while (end < count && sum + item_septets[end] + 1 <= budget) {
            sum += item_septets[end] + 1;
            ++end;
        }
        end = std::max(end, begin + 1);
        pages.push_back({begin, end});
        begin = end;
    } while (begin < count);
    return pages;
}

std::vector<PageSpan> paginate_text(std::string_view text, std::size_t budget,
                                    const FooterFn& footer) {
    std::vector<PageSpan> pages;
    std::size_t begin = 0;
    do {
        const auto page = static_cast<std::uint16_t>(pages.size());
        const std::string_view rest = text.substr(begin);
        if (gsm7_length(rest) + footer_cost(footer(page, false)) <= budget) {
            pages.push_back({begin, text.size()});
            break;
        }
        const std::size_t cost = footer_cost(footer(page, true));
        const std::size_t room = budget > cost ? budget - cost : 1;
        const std::size_t end = begin + text_piece_bytes(rest, room);
        pages.push_back({begin, end});
        begin = end;
        while (begin < text.size() && is_break(text[begin])) ++begin;
    } while (begin < text.size());
    return pages;
}

}  // namespace hodi::engine
