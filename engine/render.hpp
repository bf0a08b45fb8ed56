// Screens: what the subscriber reads for the session's current node, paged to the budget.
//
// Every screen is at most page_budget(menu) GSM-7 septets (never above screen_chars_hard_max),
// without the "CON "/"END " prefix, lines joined with '\n'. A menu screen is an optional notice,
// the title, "N. Label" lines and a footer of the keys that apply ("0:Back 00:Home 98:More").
// A screen over budget is split into pages; each page repeats the title and option keys stay
// the same on every page. Input prompts and END texts over budget page at line or word breaks;
// an END text that pages is shown as CON pages with More, its last page END.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/menu.hpp"
#include "engine/session.hpp"
#include "engine/step.hpp"

namespace hodi::engine {

// The septets one screen may hold: menu.screen_chars, capped at screen_chars_hard_max.
std::size_t page_budget(const Menu& menu);

// Pages of the session's current node (at least 1). The node must be a screen node.
std::uint16_t page_count(const Menu& menu, const Session& session);

// The session's current node at session.page, with session.notice above it. A notice that
// does not fit above a full page takes the title's line (cut if it must be) for this showing,
// so page contents, and so page numbers, never depend on a notice.
// When `pages` is given it receives page_count(), saving a second layout on the hot path.
Screen render_screen(const Menu& menu, const Session& session, std::uint16_t* pages = nullptr);

// A final screen that belongs to no node (too many tries, service error), cut to the budget.
Screen render_end_text(const Menu& menu, std::string_view text);

// Whether "back" would leave the current page: the footer shows 0:Back exactly then.
bool can_go_back(const Menu& menu, const Session& session);

}  // namespace hodi::engine
