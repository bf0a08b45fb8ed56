// Transitions of the session engine: begin, step, resume, and the hop rules they share
// (navigation keys, retries, history and its floor, entering nodes and actions).
#include "engine/step.hpp"

#include <algorithm>

#include "engine/assert.hpp"
#include "engine/checks.hpp"
#include "engine/gsm7.hpp"
#include "engine/render.hpp"
#include "engine/template.hpp"

namespace hodi::engine {
namespace {

// The steps below take the session by rvalue reference: it is moved once, into the Step they
// answer, instead of once per call on the way there.

Step screen_step(const Menu& menu, Session&& session) {
    Screen screen = render_screen(menu, session);
    // A notice belongs to the one screen it was shown on.
    session.notice.clear();
    if (screen.end) session.secrets.clear();
    return Step{std::move(screen), std::move(session), std::nullopt};
}

Step end_step(const Menu& menu, Session&& session, const Text& text) {
    Screen screen = render_end_text(menu, text.in(session.language));
    session.notice.clear();
    session.secrets.clear();
    return Step{std::move(screen), std::move(session), std::nullopt};
}

std::string_view trim_spaces(std::string_view text) {
    const std::size_t first = text.find_first_not_of(' ');
    if (first == std::string_view::npos) return {};
    const std::size_t last = text.find_last_not_of(' ');
    return text.substr(first, last - first + 1);
}

// The first `chars_max` characters of a UTF-8 value.
std::string_view cut_chars(std::string_view value, std::size_t chars_max) {
    std::size_t index = 0;
    for (std::size_t count = 0; index < value.size() && count < chars_max; ++count) {
        next_utf8_char(value, index);
    }
    return value.substr(0, index);
}

// Keeps a value within the per-session caps: a new name beyond variables_max is dropped (the
// names a menu relies on are set first), a long value is cut.
void set_value(Variables& values, std::string_view name, std::string_view value) {
    if (name.empty()) return;
    const std::string_view kept = cut_chars(value, variable_chars_max);
    if (const auto found = values.find(name); found != values.end()) {
        found->second.assign(kept);
        return;
    }
    if (values.size() >= variables_max) return;
    values.emplace(std::string(name), std::string(kept));
}

// Drops the oldest frame that back could still reach, keeping the floor on the same frames.
// While the floor is up, at least one frame stays below it so back still says it cannot.
void drop_oldest_frame(Session& session) {
    auto& history = session.history;
    if (session.history_floor >= 2 || session.history_floor == 0) {
        history.erase(history.begin());
        if (session.history_floor > 0) --session.history_floor;
        return;
    }
    history.erase(history.begin() + 1);
}

// Leaves the current screen forward: it becomes a back frame, and an irreversible node raises
// the floor above it.
void push_frame(const Menu& menu, Session& session) {
    if (session.history.size() >= history_depth_max) drop_oldest_frame(session);
    session.history.push_back(Frame{session.node_id, session.page});
    if (menu.at(session.node_id).irreversible) {
        session.history_floor = static_cast<std::uint16_t>(session.history.size());
    }
}

Step action_step(const Menu& menu, Session&& session, const ActionNode& action) {
    // A menu whose actions lead to each other in a loop would otherwise never answer.
    if (++session.actions_in_hop > action_chain_max) {
        return end_step(menu, std::move(session), menu.texts.service_error);
    }
    ActionRequest request{action.action, {}};
    for (const auto& [name, value] : action.args) {
        request.args.emplace(name, expand_for_action(value, session));
    }
    // A PIN is good for one action only.
    session.secrets.clear();
    return Step{Screen{}, std::move(session), std::move(request)};
}

Step enter(const Menu& menu, Session&& session, std::string_view node_id) {
    const Node& node = menu.at(node_id);
    session.node_id = node.id;
    session.page = 0;
    session.tries = 0;
    if (const auto* action = std::get_if<ActionNode>(&node.body)) {
        return action_step(menu, std::move(session), *action);
    }
    return screen_step(menu, std::move(session));
}

Step restart(const Menu& menu, Session&& session, TimePoint now, StartReason reason) {
    Session fresh = new_session(menu, std::move(session.id), std::move(session.phone),
                                session.language, now);
    return begin(menu, std::move(fresh), now, reason);
}

// A refused entry: say why above the same screen, or end politely after too many.
Step refuse(const Menu& menu, Session&& session, const std::string& reason) {
    ++session.tries;
    if (session.tries >= menu.input_tries) {
        return end_step(menu, std::move(session), menu.texts.too_many_tries);
    }
    session.notice = reason;
    return screen_step(menu, std::move(session));
}

Step go_home(const Menu& menu, Session&& session) {
    session.history.clear();
    session.history_floor = 0;
    session.secrets.clear();
    return enter(menu, std::move(session), menu.root);
}

Step go_back(const Menu& menu, Session&& session) {
    session.tries = 0;
    if (session.page > 0) {
        --session.page;
        return screen_step(menu, std::move(session));
    }
    if (session.history.size() > session.history_floor) {
        Frame frame = std::move(session.history.back());
        session.history.pop_back();
        // Frames are only ever screens: back shows a node again, it never re-runs an action.
        HODI_ASSERT(!std::holds_alternative<ActionNode>(menu.at(frame.node_id).body));
        session.node_id = std::move(frame.node_id);
        session.page = 0;
        const std::uint16_t pages = page_count(menu, session);
        session.page = std::min<std::uint16_t>(frame.page, pages - 1);
        return screen_step(menu, std::move(session));
    }
    if (session.history_floor > 0) {
        session.notice = menu.texts.cannot_go_back.in(session.language);
        return screen_step(menu, std::move(session));
    }
    if (session.node_id != menu.root) return enter(menu, std::move(session), menu.root);
    return screen_step(menu, std::move(session));
}

Step go_more(const Menu& menu, Session&& session) {
    // Render the next page first: paging it and counting pages is one layout, not two.
    ++session.page;
    std::uint16_t pages = 0;
    Screen screen = render_screen(menu, session, &pages);
    if (session.page >= pages) {
        --session.page;
        return refuse(menu, std::move(session), menu.texts.invalid_choice.in(session.language));
    }
    session.tries = 0;
    if (screen.end) session.secrets.clear();
    return Step{std::move(screen), std::move(session), std::nullopt};
}

// Applies a navigation key if `entry` is one that acts on this screen.
std::optional<Step> navigate(const Menu& menu, Session& session, std::string_view entry,
                             bool navigation) {
    const NavigationKeys& keys = menu.navigation;
    if (navigation && entry == keys.home) return go_home(menu, std::move(session));
    if (navigation && entry == keys.back) return go_back(menu, std::move(session));
    if (entry != keys.more) return std::nullopt;
    // Where navigation is off, More still turns the pages of a prompt that shows "98:More".
    if (navigation || session.page + 1 < page_count(menu, session)) {
        return go_more(menu, std::move(session));
    }
    return std::nullopt;
}

Step on_menu(const Menu& menu, Session&& session, const MenuNode& node, std::string_view entry) {
    if (auto moved = navigate(menu, session, entry, true)) return std::move(*moved);
    for (const Option& option : node.options) {
        if (option.key != entry) continue;
        push_frame(menu, session);
        return enter(menu, std::move(session), option.target);
    }
    return refuse(menu, std::move(session), menu.texts.invalid_choice.in(session.language));
}

Step on_language(const Menu& menu, Session&& session, const LanguageNode& node,
                 std::string_view entry) {
    if (auto moved = navigate(menu, session, entry, true)) return std::move(*moved);
    for (std::size_t index = 0; index < language_codes.size(); ++index) {
        if (entry != std::to_string(index + 1)) continue;
        session.language = static_cast<Language>(index);
        push_frame(menu, session);
        return enter(menu, std::move(session), node.target);
    }
    return refuse(menu, std::move(session), menu.texts.invalid_choice.in(session.language));
}

Step on_input(const Menu& menu, Session&& session, const InputNode& node, std::string_view entry) {
    if (auto moved = navigate(menu, session, entry, node.navigation)) return std::move(*moved);
    const auto checked = check_entry(node.check, entry);
    if (!checked) {
        return refuse(menu, std::move(session),
                      check_reason(node.check, menu.texts, session.language));
    }
    // PINs go to secrets only: never variables, never a screen, gone after the next action.
    if (node.check.kind == CheckKind::pin) {
        set_value(session.secrets, node.save_as, checked->value);
    } else {
        set_value(session.variables, node.save_as, checked->value);
        if (checked->cents && !node.save_as.empty()) {
            set_value(session.variables, node.save_as + "_cents", std::to_string(*checked->cents));
        }
    }
    push_frame(menu, session);
    return enter(menu, std::move(session), node.target);
}

Step on_end(const Menu& menu, Session&& session, std::string_view entry) {
    if (auto moved = navigate(menu, session, entry, true)) return std::move(*moved);
    return refuse(menu, std::move(session), menu.texts.invalid_choice.in(session.language));
}

// Whether the session stands on a screen that awaits an entry. It does not after an END screen
// (the caller should have deleted it) or mid-action (a hop that never resumed).
bool awaits_entry(const Menu& menu, const Session& session, const Node& node) {
    if (std::holds_alternative<ActionNode>(node.body)) return false;
    if (std::holds_alternative<EndNode>(node.body)) {
        return session.page + 1 < page_count(menu, session);
    }
    return true;
}

}  // namespace

Session new_session(const Menu& menu, std::string session_id, std::string phone,
                    Language language, TimePoint now) {
    Session session;
    session.id = std::move(session_id);
    session.phone = std::move(phone);
    session.menu_version = menu.version;
    session.node_id = menu.root;
    session.language = language;
    session.started = now;
    session.last_seen = now;
    return session;
}

Step begin(const Menu& menu, Session session, TimePoint now, StartReason reason) {
    session.last_seen = now;
    ++session.hops;
    session.actions_in_hop = 0;
    if (reason == StartReason::expired) {
        session.notice = menu.texts.session_expired.in(session.language);
    }
    return enter(menu, std::move(session), menu.root);
}

Step step(const Menu& menu, Session session, std::string_view input, TimePoint now) {
    if (now - session.last_seen > menu.session_timeout) {
        return restart(menu, std::move(session), now, StartReason::expired);
    }
    const Node* node = menu.find(session.node_id);
    // A reloaded menu without this node, or a session that cannot take an entry: start over.
    if (node == nullptr || !awaits_entry(menu, session, *node)) {
        return restart(menu, std::move(session), now, StartReason::dialled);
    }
    session.last_seen = now;
    ++session.hops;
    session.actions_in_hop = 0;
    const std::string_view entry = trim_spaces(input);
    if (const auto* menu_node = std::get_if<MenuNode>(&node->body)) {
        return on_menu(menu, std::move(session), *menu_node, entry);
    }
    if (const auto* picker = std::get_if<LanguageNode>(&node->body)) {
        return on_language(menu, std::move(session), *picker, entry);
    }
    if (const auto* input_node = std::get_if<InputNode>(&node->body)) {
        return on_input(menu, std::move(session), *input_node, entry);
    }
    return on_end(menu, std::move(session), entry);
}

Step resume(const Menu& menu, Session session, const ActionResult& result, TimePoint now) {
    const Node& node = menu.at(session.node_id);
    const auto* action = std::get_if<ActionNode>(&node.body);
    HODI_ASSERT(action != nullptr && "resume() follows a step that asked for an action");
    session.last_seen = now;
    for (const auto& [name, value] : result.outputs) {
        // An action that knows the subscriber's saved language (user.lookup) switches the
        // session to it, so a returning subscriber is greeted in the language they chose.
        if (name == "language") {
            if (const auto language = parse_language(value)) session.language = *language;
            continue;
        }
        set_value(session.variables, name, value);
    }
    // The action has run: back may no longer lead to the screens that asked for it.
    if (node.irreversible) {
        session.history_floor = static_cast<std::uint16_t>(session.history.size());
    }
    if (const auto branch = action->on.find(result.outcome); branch != action->on.end()) {
        return enter(menu, std::move(session), branch->second);
    }
    if (!action->otherwise.empty()) return enter(menu, std::move(session), action->otherwise);
    return end_step(menu, std::move(session), menu.texts.service_error);
}

}  // namespace hodi::engine
