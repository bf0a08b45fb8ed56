// Actions: the named operations menus call (balance, statement, savings.*, loan.*, ...).
// The engine asks for one by name; an ActionRunner performs it. Specs let `hodi lint` reject
// unknown actions and parameters before a menu is ever served.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "engine/action.hpp"
#include "engine/language.hpp"

namespace hodi::storage {

namespace net = boost::asio;

// Who an action runs for. The phone is the session owner's, already normalised to E.164.
struct ActionContext {
    std::string phone;
    std::string session_id;
    engine::Language language = engine::Language::en;
    // Stable for one hop of one session (session id, node, hop count): a hop that AT repeats
    // carries the same id, so a money action keyed on it is applied once.
    std::string request_id;
    // When the subscriber stops waiting (the hop budget). Work not started by then is not
    // started at all, so a late hop's "unavailable" never hides money that moved afterwards.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Implementations are thread-safe. run() never throws: failures come back as outcomes
// ("error", "wrong_pin", ...), so a menu can branch on them.
class ActionRunner {
public:
    virtual ~ActionRunner() = default;
    virtual const std::vector<engine::ActionSpec>& specs() const = 0;
    virtual net::awaitable<engine::ActionResult> run(engine::ActionRequest request,
                                                     ActionContext context) = 0;
};

}  // namespace hodi::storage
