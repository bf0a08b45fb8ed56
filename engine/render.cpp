// Screens for menu, language, input and end nodes: layout, footer keys, paging and notices.
#include "engine/render.hpp"

#include <string>
#include <vector>

#include "engine/assert.hpp"
#include "engine/gsm7.hpp"
#include "engine/paging.hpp"
#include "engine/template.hpp"

namespace hodi::engine {
namespace {

constexpr std::string_view empty_screen_text = "...";
// A title longer than this leaves too little room for options; it is cut to fit.
constexpr std::size_t item_room_min_septets = 24;

// Whether back on a node's first page goes anywhere: to a stacked frame above the floor, or
// to the root from a node reached without one.
bool can_leave_first_page(const Menu& menu, const Session& session) {
    if (session.history.size() > session.history_floor) return true;
    return session.history.empty() && session.node_id != menu.root;
}

// What a screen node shows before paging: a titled list of numbered lines, or a text.
struct Layout {
    bool list = true;
    bool end = false;         ///< an END node: its last page closes the session
    bool navigation = true;   ///< whether back/home keys act here (and are shown)
    std::string title;        ///< list only
    std::vector<std::string> items;  ///< list only: "1. Label"
    std::string text;         ///< text only
};

std::string option_line(std::string_view key, std::string_view label) {
    std::string line;
    line.reserve(key.size() + 2 + label.size());
    line.append(key).append(". ").append(label);
    return line;
}

Layout menu_layout(const MenuNode& node, const Session& session) {
    Layout layout;
    layout.title = expand_for_screen(node.title.in(session.language), session);
    layout.items.reserve(node.options.size());
    for (const Option& option : node.options) {
        layout.items.push_back(
            option_line(option.key, expand_for_screen(option.label.in(session.language), session)));
    }
    return layout;
}

Layout language_layout(const LanguageNode& node, const Session& session) {
    Layout layout;
    layout.title = expand_for_screen(node.title.in(session.language), session);
    for (std::size_t index = 0; index < language_names.size(); ++index) {
        layout.items.push_back(option_line(std::to_string(index + 1), language_names[index]));
    }
    return layout;
}

Layout layout_of(const Node& node, const Session& session) {
    if (const auto* menu = std::get_if<MenuNode>(&node.body)) return menu_layout(*menu, session);
    if (const auto* picker = std::get_if<LanguageNode>(&node.body)) {
        return language_layout(*picker, session);
    }
    Layout layout;
    layout.list = false;
    if (const auto* input = std::get_if<InputNode>(&node.body)) {
        layout.navigation = input->navigation;
        layout.text = expand_for_screen(input->prompt.in(session.language), session);
        return layout;
    }
    const auto* end = std::get_if<EndNode>(&node.body);
    HODI_ASSERT(end != nullptr && "an action node has no screen");
    layout.end = true;
    layout.text = expand_for_screen(end->text.in(session.language), session);
    return layout;
}

void append_key(std::string& footer, std::string_view key, const Text& label, Language language) {
    if (!footer.empty()) footer.push_back(' ');
    footer.append(key).append(":").append(label.in(language));
}

std::string cut_to(std::string_view text, std::size_t septets_max) {
    return std::string(text.substr(0, gsm7_prefix_bytes(text, septets_max)));
}

// Footers of the current node's pages, in the order the subscriber reads them.
struct Footers {
    const Menu& menu;
    const Session& session;
    const Layout& layout;
    bool back_from_first_page;

    std::string operator()(std::uint16_t page, bool more_follows) const {
        // The last page of an END text closes the session: no key would be read.
        if (layout.end && !more_follows) return {};
        std::string footer;
        const Language language = session.language;
        if (layout.navigation && (page > 0 || back_from_first_page)) {
            append_key(footer, menu.navigation.back, menu.texts.back, language);
        }
        if (layout.navigation && session.node_id != menu.root) {
            append_key(footer, menu.navigation.home, menu.texts.home, language);
        }
        if (more_follows) append_key(footer, menu.navigation.more, menu.texts.more, language);
        // Authors may localise labels at length; the footer never takes the whole screen.
        return cut_to(footer, page_budget(menu) / 2);
    }
};

std::vector<std::size_t> item_lengths(const Layout& layout) {
    std::vector<std::size_t> lengths;
    lengths.reserve(layout.items.size());
    for (const std::string& item : layout.items) lengths.push_back(gsm7_length(item));
    return lengths;
}

std::vector<PageSpan> paginate(const Layout& layout, std::size_t budget, const FooterFn& footer) {
    if (!layout.list) return paginate_text(layout.text, budget, footer);
    return paginate_list(gsm7_length(layout.title), item_lengths(layout), budget, footer);
}

// The lines of one page, title (if any) first and footer (if any) last.
struct PageLines {
    std::vector<std::string> lines;
    bool titled = false;

    std::size_t septets() const {
        std::size_t sum = 0;
        for (const std::string& line : lines) sum += gsm7_length(line);
        return joined_septets(sum, lines.size());
    }
};

PageLines list_page(Layout& layout, PageSpan span, std::string footer, std::size_t budget) {
    PageLines page;
    page.lines.reserve(span.end - span.begin + 3);  // title, items, footer, and a notice
    const std::size_t footer_septets = gsm7_length(footer);
    const std::size_t fixed = footer_septets + 2 + item_room_min_septets;
    if (!layout.title.empty()) {
        page.titled = true;
        page.lines.push_back(cut_to(layout.title, budget > fixed ? budget - fixed : 0));
    }
    for (std::size_t index = span.begin; index < span.end; ++index) {
        page.lines.push_back(std::move(layout.items[index]));
    }
    if (!footer.empty()) page.lines.push_back(std::move(footer));
    // A single item too long for any page is cut, so the page still fits.
    if (span.end == span.begin + 1 && page.septets() > budget) {
        std::string& item = page.lines[page.titled ? 1 : 0];
        const std::size_t others = page.septets() - gsm7_length(item);
        item = cut_to(item, budget > others ? budget - others : 0);
    }
    return page;
}

PageLines text_page(const Layout& layout, PageSpan span, std::string footer) {
    PageLines page;
    page.lines.reserve(3);  // the piece, the footer, and a notice
    page.lines.push_back(layout.text.substr(span.begin, span.end - span.begin));
    if (!footer.empty()) page.lines.push_back(std::move(footer));
    return page;
}

// Puts the notice above the page. When the page is full, a list's notice takes the title's
// line; a text's notice takes room from the end of the piece for this showing only.
void add_notice(PageLines& page, std::string_view notice, std::size_t budget) {
    if (notice.empty()) return;
    const std::size_t page_septets = page.septets();
    const std::size_t notice_septets = gsm7_length(notice);
    if (page_septets + 1 + notice_septets <= budget) {
        page.lines.insert(page.lines.begin(), std::string(notice));
        return;
    }
    std::string& first = page.lines.front();
    const std::size_t others = page_septets - gsm7_length(first);
    if (page.titled && page.lines.size() > 1) {
        first = cut_to(notice, budget > others ? budget - others : 0);
        return;
    }
    std::string shown = cut_to(notice, budget / 2);
    const std::size_t used = others + gsm7_length(shown) + 1;
    first = cut_to(first, budget > used ? budget - used : 0);
    page.lines.insert(page.lines.begin(), std::move(shown));
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::size_t size = lines.size();
    for (const std::string& line : lines) size += line.size();
    std::string text;
    text.reserve(size);
    for (std::size_t index = 0; index < lines.size(); ++index) {
        if (index > 0) text.push_back('\n');
        text.append(lines[index]);
    }
    return text;
}

}  // namespace

std::size_t page_budget(const Menu& menu) {
    return menu.screen_chars < screen_chars_hard_max ? menu.screen_chars : screen_chars_hard_max;
}

bool can_go_back(const Menu& menu, const Session& session) {
    return session.page > 0 || can_leave_first_page(menu, session);
}

std::uint16_t page_count(const Menu& menu, const Session& session) {
    const Layout layout = layout_of(menu.at(session.node_id), session);
    const Footers footers{menu, session, layout, can_leave_first_page(menu, session)};
    return static_cast<std::uint16_t>(paginate(layout, page_budget(menu), footers).size());
}

Screen render_screen(const Menu& menu, const Session& session, std::uint16_t* pages_out) {
    const std::size_t budget = page_budget(menu);
    Layout layout = layout_of(menu.at(session.node_id), session);
    const Footers footers{menu, session, layout, can_leave_first_page(menu, session)};
    const std::vector<PageSpan> pages = paginate(layout, budget, footers);
    if (pages_out != nullptr) *pages_out = static_cast<std::uint16_t>(pages.size());
    const std::size_t index = session.page < pages.size() ? session.page : pages.size() - 1;
    const auto page_index = static_cast<std::uint16_t>(index);
    const bool more_follows = index + 1 < pages.size();
    std::string footer = footers(page_index, more_follows);
    PageLines page = layout.list ? list_page(layout, pages[index], std::move(footer), budget)
                                 : text_page(layout, pages[index], std::move(footer));
    add_notice(page, session.notice, budget);
    std::string text = join_lines(page.lines);
    text.resize(gsm7_prefix_bytes(text, budget));
    // A text made only of templates may expand to nothing; an empty body reads as a failure.
    if (text.empty()) text = empty_screen_text;
    return Screen{std::move(text), layout.end && !more_follows};
}

Screen render_end_text(const Menu& menu, std::string_view text) {
    std::string shown = cut_to(text, page_budget(menu));
    if (shown.empty()) shown = empty_screen_text;
    return Screen{std::move(shown), true};
}

}  // namespace hodi::engine
