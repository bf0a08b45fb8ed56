// Sim scripts: a line format for testers to replay a USSD conversation against a running hodi
// and check each screen (`hodi sim --script FILE`). The format is documented in
// examples/README.md; in short, one directive per line:
//
//   # comment                  blank lines and '#' comments are ignored
//   phone +254700000000        set the caller for the next dial (also: code, network)
//   dial                       start a new session: new sessionId, text=""
//   send 1                     type an entry and press send (text grows by "*1")
//   expect Karibu              the current screen contains this text
//   expect-not Error           ... does not contain it
//   expect-re ^Salio: KES \d+  ... matches this ECMAScript regex somewhere
//   expect-con [TEXT]          the session continues (CON), and contains TEXT if given
//   expect-end [TEXT]          the session ended (END), and contains TEXT if given
//   pause 2s                   wait, up to 30s, for something outside the dialog
//   expect-prompt [TEXT]       an M-Pesa prompt reaches the phone (waits up to 30s), with TEXT
//   accept 0000                type the M-Pesa PIN on that prompt; waits until hodi has the result
//   cancel                     press Cancel on it instead
//   expect-payout [TEXT]       M-Pesa pays the phone and hodi has the result (waits up to 30s);
//                              TEXT is looked for in the confirmation SMS
//
// Arguments run to the end of the line; a '#' after whitespace starts a comment. Put an argument
// in double quotes to keep spaces at its ends, a '#', or escapes (\n, \", \\).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "app/sim.hpp"
#include "app/sim_prompts.hpp"

namespace hodi::app {

enum class ScriptVerb : std::uint8_t {
    phone,
    code,
    network,
    dial,
    send,
    expect,
    expect_not,
    expect_regex,
    expect_con,
    expect_end,
    pause,
    expect_prompt,
    accept,
    cancel,
    expect_payout,
};

struct ScriptStep {
    ScriptVerb verb = ScriptVerb::dial;
    std::string argument;  ///< unquoted, escapes resolved; may be empty
    int line = 0;          ///< 1-based, for file:line messages
};

struct Script {
    std::string file;  ///< as given on the command line; used in messages
    std::vector<ScriptStep> steps;
    bool uses_prompts = false;  ///< it uses the sandbox Daraja, which holds its phones
};

struct ScriptParse {
    Script script;
    std::vector<std::string> errors;  ///< "file:line: message", all of them at once
};

// Parses a whole script. A script that never dials, or sends before dialling, is an error.
ScriptParse parse_script(std::string_view text, std::string file);

// Counts what a run did, for the one-line summary.
struct ScriptRun {
    bool passed = false;
    int sessions = 0;
    int hops = 0;
    int checks = 0;
};

// Plays the script through `gateway`, starting from `handset` (phone/code/network lines change
// it). Stops at the first failed check or failed hop, printing file:line, what was expected and
// the screen as shown; on success prints one summary line. Output goes to `out`. Prompts come
// from `desk`, which may be null for a script that answers none; phones the script dials from
// are held there while it runs.
ScriptRun run_script(const Script& script, Handset handset, const Gateway& gateway,
                     std::ostream& out, PromptDesk* desk = nullptr);

}  // namespace hodi::app
