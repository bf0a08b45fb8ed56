// Plays a parsed sim script against a Gateway and reports the first mismatch with file:line.
#include <optional>
#include <ostream>
#include <regex>
#include <thread>

#include "app/config.hpp"
#include "app/sim_script.hpp"

namespace hodi::app {

namespace {

// A script waits at most this long in one `pause`: it is for a sandbox leg, not for a timer.
constexpr std::chrono::seconds pause_max{30};

std::string in_quotes(std::string_view text) {
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
                handset_.phone = at_phone_number(with_random_digits(step.argument));
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
            case ScriptVerb::pause: return pause(step);
        }
        return false;
    }

    // Each X becomes a random digit, so `phone +2547XXXXXXXX` is a new subscriber every run.
    std::string with_random_digits(std::string text) {
        for (char& c : text) {
            if (c == 'X') c = static_cast<char>('0' + random_() % 10);
        }
        return text;
    }

    // Waits for something outside the dialog, such as a sandbox M-Pesa leg completing.
    bool pause(const ScriptStep& step) {
        const auto duration = parse_duration(step.argument);
        if (!duration || *duration > pause_max) {
            return fail(step, "pause " + in_quotes(step.argument) +
                                  ": expected a duration up to 30s, such as 500ms or 2s");
        }
        std::this_thread::sleep_for(*duration);
        return true;
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
            return fail(step, "send " + in_quotes(step.argument) +
                                  ": the session has ended; 'dial' again first");
        }
        return hop(step, session_->send(step.argument));
    }

    bool hop(const ScriptStep& step, const AtRequest& request) {
        ++run_.hops;
        reply_ = gateway_(request);
        if (reply_.ok()) return true;
        out_ << script_.file << ":" << step.line << ": hop failed (text " << in_quotes(request.text)
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
                                                  in_quotes(step.argument));
            case ScriptVerb::expect_not:
                return !contains || fail(step, "expected the screen not to contain " +
                                                   in_quotes(step.argument));
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
                                                  in_quotes(step.argument));
            }
            case ScriptVerb::phone:
            case ScriptVerb::code:
            case ScriptVerb::network:
            case ScriptVerb::dial:
            case ScriptVerb::send:
            case ScriptVerb::pause: break;
        }
        return false;
    }

    bool fail(const ScriptStep& step, const std::string& expected) {
        out_ << script_.file << ":" << step.line << ": " << expected << "\n"
             << "  after text " << in_quotes(session_ ? session_->text() : std::string{})
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
