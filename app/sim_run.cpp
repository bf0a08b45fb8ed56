// Plays a parsed sim script against a Gateway and reports the first mismatch with file:line.
#include <optional>
#include <ostream>
#include <regex>

#include "app/sim_script.hpp"

namespace hodi::app {

namespace {

std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '\n') {
            out += "\\n";
        } else {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
    }
    return out + "\"";
}

std::string counted(int count, std::string_view noun) {
    return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

// The state of a run: the session being played and its last reply. Not thread-safe.
class Player {
public:
    Player(const Script& script, Handset handset, const Gateway& gateway, std::ostream& out)
        : script_(script), handset_(std::move(handset)), gateway_(gateway), out_(out),
          random_(std::random_device{}()) {}

    ScriptRun play() {
        for (const ScriptStep& step : script_.steps) {
            if (!perform(step)) return run_;
        }
        run_.passed = true;
        out_ << script_.file << ": passed (" << counted(run_.sessions, "session") << ", "
             << counted(run_.hops, "hop") << ", " << counted(run_.checks, "check") << ")\n";
        return run_;
    }

private:
    bool perform(const ScriptStep& step) {
        switch (step.verb) {
            case ScriptVerb::phone:
                handset_.phone = at_phone_number(step.argument);
                return true;
            case ScriptVerb::code: handset_.service_code = step.argument; return true;
            case ScriptVerb::network: handset_.network_code = step.argument; return true;
            case ScriptVerb::dial: return dial(step);
            case ScriptVerb::send: return send(step);
            case ScriptVerb::expect:
            case ScriptVerb::expect_not:
            case ScriptVerb::expect_regex:
            case ScriptVerb::expect_con:
            case ScriptVerb::expect_end: return check(step);
        }
        return false;
    }

    bool dial(const ScriptStep& step) {
        // The session keeps its own copy of the handset: a later `phone` line is for the next
        // dial, as on a real phone, not for the session already running.
        session_handset_ = handset_;
        session_.emplace(new_session_id(random_), session_handset_);
        ++run_.sessions;
        return hop(step, session_->dial());
    }

    bool send(const ScriptStep& step) {
        if (reply_.end) {
            return fail(step, "send " + quoted(step.argument) +
                                  ": the session has ended; 'dial' again first");
        }
        return hop(step, session_->send(step.argument));
    }

    bool hop(const ScriptStep& step, const AtRequest& request) {
        ++run_.hops;
        reply_ = gateway_(request);
        if (reply_.ok()) return true;
        out_ << script_.file << ":" << step.line << ": hop failed (text " << quoted(request.text)
             << "): " << reply_.error << "\n";
        return false;
    }

    bool check(const ScriptStep& step) {
        ++run_.checks;
        const std::string& screen = reply_.screen;
        const bool contains = screen.find(step.argument) != std::string::npos;
        switch (step.verb) {
            case ScriptVerb::expect:
                return contains || fail(step, "expected the screen to contain " +
                                                  quoted(step.argument));
            case ScriptVerb::expect_not:
                return !contains || fail(step, "expected the screen not to contain " +
                                                   quoted(step.argument));
            case ScriptVerb::expect_regex:
                return std::regex_search(screen, std::regex(step.argument)) ||
                       fail(step, "expected the screen to match /" + step.argument + "/");
            case ScriptVerb::expect_con:
            case ScriptVerb::expect_end: {
                const bool want_end = step.verb == ScriptVerb::expect_end;
                if (reply_.end != want_end) {
                    return fail(step, want_end ? "expected the session to end (END)"
                                               : "expected the session to continue (CON)");
                }
                return contains || fail(step, "expected the screen to contain " +
                                                  quoted(step.argument));
            }
            case ScriptVerb::phone:
            case ScriptVerb::code:
            case ScriptVerb::network:
            case ScriptVerb::dial:
            case ScriptVerb::send: break;
        }
        return false;
    }

    bool fail(const ScriptStep& step, const std::string& expected) {
        out_ << script_.file << ":" << step.line << ": " << expected << "\n"
             << "  after text " << quoted(session_ ? session_->text() : std::string{})
             << ", the screen was:\n"
             << frame_screen(reply_.screen, reply_.end);
        return false;
    }

    const Script& script_;
    Handset handset_;
    Handset session_handset_;
    const Gateway& gateway_;
    std::ostream& out_;
    std::mt19937_64 random_;
    std::optional<AtSession> session_;
    HopReply reply_;
    ScriptRun run_;
};

}  // namespace

ScriptRun run_script(const Script& script, Handset handset, const Gateway& gateway,
                     std::ostream& out) {
    Player player(script, std::move(handset), gateway, out);
    return player.play();
}

}  // namespace hodi::app
