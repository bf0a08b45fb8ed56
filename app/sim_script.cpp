// Parses and plays sim scripts; the format is described in sim_script.hpp and examples/README.md.
#include "app/sim_script.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <ostream>
#include <regex>

namespace hodi::app {

namespace {

enum class Argument : std::uint8_t { none, required, optional };

struct VerbSpec {
    std::string_view word;
    ScriptVerb verb;
    Argument argument;
};

constexpr std::array verb_specs{
    VerbSpec{"phone", ScriptVerb::phone, Argument::required},
    VerbSpec{"code", ScriptVerb::code, Argument::required},
    VerbSpec{"network", ScriptVerb::network, Argument::required},
    VerbSpec{"dial", ScriptVerb::dial, Argument::none},
    VerbSpec{"send", ScriptVerb::send, Argument::required},
    VerbSpec{"expect", ScriptVerb::expect, Argument::required},
    VerbSpec{"expect-not", ScriptVerb::expect_not, Argument::required},
    VerbSpec{"expect-re", ScriptVerb::expect_regex, Argument::required},
    VerbSpec{"expect-con", ScriptVerb::expect_con, Argument::optional},
    VerbSpec{"expect-end", ScriptVerb::expect_end, Argument::optional},
    VerbSpec{"pause", ScriptVerb::pause, Argument::required},
    VerbSpec{"expect-prompt", ScriptVerb::expect_prompt, Argument::optional},
    VerbSpec{"accept", ScriptVerb::accept, Argument::required},
    VerbSpec{"cancel", ScriptVerb::cancel, Argument::none},
    VerbSpec{"expect-payout", ScriptVerb::expect_payout, Argument::optional},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Drops a trailing comment: a '#' at the start or after whitespace. A '#' glued to a word is
// kept, so `code *384*1234#` needs no quotes.
std::string_view strip_comment(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '#' && (i == 0 || is_space(text[i - 1]))) return text.substr(0, i);
    }
    return text;
}

// Reads a double-quoted argument starting at text[0] == '"'. Returns the error, if any.
std::string read_quoted(std::string_view text, std::string& argument) {
    std::size_t i = 1;
    for (; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] != '\\') {
            argument += text[i];
            continue;
        }
        if (++i == text.size()) break;
        switch (text[i]) {
            case 'n': argument += '\n'; break;
            case '"': argument += '"'; break;
            case '\\': argument += '\\'; break;
            default: return std::string("unknown escape \\") + text[i] + " (use \\n, \\\" or \\\\)";
        }
    }
    if (i >= text.size()) return "unterminated quoted string";
    if (!trim(strip_comment(text.substr(i + 1))).empty()) return "text after the closing quote";
    return {};
}

// Parses one non-blank line into `step`; returns the error message, if any.
std::string parse_line(std::string_view line, ScriptStep& step) {
    const std::size_t verb_end = line.find_first_of(" \t");
    const std::string_view word = line.substr(0, verb_end);
    const auto spec = std::find_if(verb_specs.begin(), verb_specs.end(),
                                   [word](const VerbSpec& s) { return s.word == word; });
    if (spec == verb_specs.end()) return "unknown directive '" + std::string(word) + "'";
    step.verb = spec->verb;
    const std::string_view rest =
        verb_end == std::string_view::npos ? std::string_view{} : trim(line.substr(verb_end));
    bool has_argument = false;
    if (!rest.empty() && rest.front() == '"') {
        if (auto error = read_quoted(rest, step.argument); !error.empty()) return error;
        has_argument = true;
    } else {
        step.argument = std::string(trim(strip_comment(rest)));
        has_argument = !step.argument.empty();
    }
    if (spec->argument == Argument::none && has_argument) {
        return std::string(word) + " takes no argument";
    }
    if (spec->argument == Argument::required && !has_argument) {
        return std::string(word) + " needs an argument" +
               (step.verb == ScriptVerb::send ? " (send \"\" sends an empty entry)" : "");
    }
    if (step.verb == ScriptVerb::expect_regex) {
        try {
            std::regex check(step.argument, std::regex::ECMAScript);
        } catch (const std::regex_error& error) {
            return "bad regex: " + std::string(error.what());
        }
    }
    return {};
}

bool needs_session(ScriptVerb verb) {
    return verb != ScriptVerb::phone && verb != ScriptVerb::code &&
           verb != ScriptVerb::network && verb != ScriptVerb::dial;
}

}  // namespace

ScriptParse parse_script(std::string_view text, std::string file) {
    ScriptParse parsed;
    parsed.script.file = std::move(file);
    bool dialled = false;
    bool prompt_open = false;  // an expect-prompt not answered yet
    int line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t newline = text.find('\n');
        const std::string_view line = trim(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (line.empty() || line.front() == '#') continue;
        ScriptStep step;
        step.line = line_number;
        const auto where = parsed.script.file + ":" + std::to_string(line_number) + ": ";
        if (auto error = parse_line(line, step); !error.empty()) {
            parsed.errors.push_back(where + error);
            continue;
        }
        if (needs_session(step.verb) && !dialled) {
            parsed.errors.push_back(where + "'dial' must come before the first send or expect");
        }
        const bool answers = step.verb == ScriptVerb::accept || step.verb == ScriptVerb::cancel;
        if (answers && !prompt_open) {
            parsed.errors.push_back(where + "'expect-prompt' must come before accept or cancel");
        }
        prompt_open = step.verb == ScriptVerb::expect_prompt || (prompt_open && !answers);
        dialled = dialled || step.verb == ScriptVerb::dial;
        parsed.script.uses_prompts = parsed.script.uses_prompts ||
                                     step.verb == ScriptVerb::expect_prompt ||
                                     step.verb == ScriptVerb::expect_payout;
        parsed.script.steps.push_back(std::move(step));
    }
    if (!dialled && parsed.errors.empty()) {
        parsed.errors.push_back(parsed.script.file + ": the script never dials");
    }
    return parsed;
}

}  // namespace hodi::app
