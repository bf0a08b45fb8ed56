// Whether a screen text fits one page. The engine adds a navigation footer under titles and
// prompts ("0:Back 00:Home", plus " 98:More" when a list pages), so a text must leave room for
// it; option lists page on their own. A `{variable}` counts as written: a stand-in for its
// value, whose length is only known at run time.
#include "menus/compilation.hpp"
#include "menus/text_metrics.hpp"

namespace hodi::menus::detail {

namespace {

// "\n0:Back 00:Home 98:More" in one language, as the engine renders it.
std::size_t footer_chars(const engine::Menu& menu, engine::Language language, Footer footer) {
    if (footer == Footer::none) return 0;
    const engine::NavigationKeys& keys = menu.navigation;
    std::size_t chars = 1 + keys.back.size() + 1 + char_count(menu.texts.back.in(language)) +
                        1 + keys.home.size() + 1 + char_count(menu.texts.home.in(language));
    if (footer == Footer::back_home_more) {
        chars += 1 + keys.more.size() + 1 + char_count(menu.texts.more.in(language));
    }
    return chars;
}

}  // namespace

void check_fits(Compilation& compilation, const SourcedText& text, std::string_view what,
                Footer footer, const std::array<std::size_t, engine::language_count>& extra) {
    const engine::Menu& menu = compilation.menu();
    for (std::size_t index = 0; index < engine::language_count; ++index) {
        const auto language = static_cast<engine::Language>(index);
        const std::size_t own = char_count(text.text.in(language));
        const std::size_t added = footer_chars(menu, language, footer) + extra[index];
        if (own + added <= menu.screen_chars) continue;
        std::string message = std::string(what) + " (" +
                              std::string(engine::language_code(language)) + ") is " +
                              std::to_string(own) + " characters";
        if (added > 0) message += " + " + std::to_string(added) + " for navigation";
        message += "; a screen holds " + std::to_string(menu.screen_chars);
        compilation.error(text.where[index], std::move(message));
    }
}

}  // namespace hodi::menus::detail
