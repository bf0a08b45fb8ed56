// Plays a parsed sim script against a Gateway and reports the first mismatch with file:line.
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <thread>

#include "app/config.hpp"
#include "app/sim_script.hpp"

namespace hodi::app {

namespace {

// A script waits at most this long in one `pause`: it is for a sandbox leg, not for a timer.
constexpr std::chrono::seconds pause_max{30};
// How long a prompt may take to reach the phone (hodi pushes it after the session's END), and
// its result to reach hodi after the tester answered.
constexpr std::chrono::seconds prompt_wait{30};

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
    Player(const Script& script, Handset handset, const Gateway& gateway, std::ostream& out,
           PromptDesk* desk)
        : script_(script), handset_(std::move(handset)), gateway_(gateway), out_(out),
          desk_(desk), random_(std::random_device{}()) {}
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    // The sandbox answers the phones' prompts by its own rules again.
    ~Player() {
        for (const std::string& phone : held_phones_) desk_->hold(phone, false);
    }

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
            case ScriptVerb::expect_prompt: return expect_prompt(step);
            case ScriptVerb::accept:
            case ScriptVerb::cancel: return answer_prompt(step);
            case ScriptVerb::expect_payout: return expect_payout(step);
        }
        return false;
    }

    // The phone's prompts wait for the script, not for the sandbox's rules.
    bool hold_phone(const ScriptStep& step) {
        if (!script_.uses_prompts || held_phones_.contains(session_handset_.phone)) return true;
        if (desk_ == nullptr) {
            return fail_prompt(step, "this script watches M-Pesa on the phone: it needs the "
                                     "sandbox Daraja (hodi sim --daraja URL)");
        }
        if (std::string error = desk_->hold(session_handset_.phone, true); !error.empty()) {
            return fail_prompt(step, "cannot hold the phone at the sandbox Daraja: " + error);
        }
        held_phones_.insert(session_handset_.phone);
        return true;
    }

    bool expect_prompt(const ScriptStep& step) {
        ++run_.checks;
        PromptWait wait = desk_->next_prompt(session_handset_.phone, prompt_wait);
        if (!wait.prompt) return fail_prompt(step, "expected an M-Pesa prompt: " + wait.error);
        prompt_ = std::move(wait.prompt);
        if (prompt_->text.find(step.argument) == std::string::npos) {
            return fail_prompt(step, "expected the M-Pesa prompt to contain " +
                                         in_quotes(step.argument));
        }
        return true;
    }

    bool expect_payout(const ScriptStep& step) {
        ++run_.checks;
        const PayoutWait wait = desk_->next_payout(session_handset_.phone, prompt_wait);
        if (!wait.message) return fail_prompt(step, "expected an M-Pesa payout: " + wait.error);
        if (wait.message->find(step.argument) == std::string::npos) {
            return fail_prompt(step, "expected the M-Pesa payout to contain " +
                                         in_quotes(step.argument) + "; it said " +
                                         in_quotes(*wait.message));
        }
        return true;
    }

    bool answer_prompt(const ScriptStep& step) {
        std::optional<std::string> pin;
        if (step.verb == ScriptVerb::accept) pin = step.argument;
        const PromptAnswer answer =
            desk_->answer(prompt_->checkout_request_id, pin, prompt_wait);
        prompt_.reset();
        if (!answer.ok()) return fail_prompt(step, "answering the M-Pesa prompt: " + answer.error);
        return true;
    }

    bool fail_prompt(const ScriptStep& step, const std::string& what) {
        out_ << script_.file << ":" << step.line << ": " << what << "\n";
        if (prompt_) out_ << "  the prompt was:\n" << frame_prompt(*prompt_);
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
        if (!hold_phone(step)) return false;
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
            case ScriptVerb::pause:
            case ScriptVerb::expect_prompt:
            case ScriptVerb::accept:
            case ScriptVerb::cancel:
            case ScriptVerb::expect_payout: break;
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
    PromptDesk* desk_;
    std::set<std::string> held_phones_;
    std::optional<StkPrompt> prompt_;  ///< the one the last expect-prompt saw
    std::mt19937_64 random_;
    std::optional<AtSession> session_;
    HopReply reply_;
    ScriptRun run_;
};

}  // namespace

ScriptRun run_script(const Script& script, Handset handset, const Gateway& gateway,
                     std::ostream& out, PromptDesk* desk) {
    Player player(script, std::move(handset), gateway, out, desk);
    return player.play();
}

}  // namespace hodi::app
