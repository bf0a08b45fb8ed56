// The session engine: a value-in, value-out state machine over a compiled Menu.
//
// A hop is: begin() for a new session (or step() for an existing one); if the result asks for
// an action, the caller runs it and calls resume() with its result, possibly several times in a
// row (an action may lead to another action). Pure: the same arguments always give the same
// Step; time comes in as `now`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/action.hpp"
#include "engine/menu.hpp"
#include "engine/session.hpp"

namespace hodi::engine {

// What the subscriber sees next: the body without the CON/END prefix, at most
// menu.screen_chars characters (never more than screen_chars_hard_max).
struct Screen {
    std::string text;
    bool end = false;  ///< true: the session is over (END); false: it awaits input (CON)
};

struct Step {
    Screen screen;    ///< meaningful only when `action` is empty
    Session session;  ///< what the caller saves back (or deletes when screen.end)
    std::optional<ActionRequest> action;  ///< run this, then call resume()
};

// Why a session is being started.
enum class StartReason : std::uint8_t {
    dialled,  ///< the subscriber dialled the service code
    expired,  ///< a hop arrived for a session that timed out: tell them, start at the root
};

// A fresh session at the menu's root, owned by `phone`.
Session new_session(const Menu& menu, std::string session_id, std::string phone,
                    Language language, TimePoint now);

// Shows the root screen of a fresh session.
Step begin(const Menu& menu, Session session, TimePoint now,
           StartReason reason = StartReason::dialled);

// Applies one subscriber entry (the new part of AT's `text`). A session idle longer than
// menu.session_timeout starts over at the root with the expiry notice.
Step step(const Menu& menu, Session session, std::string_view input, TimePoint now);

// Continues after the caller ran step.action. `result.outcome` picks the branch.
Step resume(const Menu& menu, Session session, const ActionResult& result, TimePoint now);

}  // namespace hodi::engine
