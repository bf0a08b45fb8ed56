// `{name}` expansion. A name is letters, digits, '_' and '.'; anything else between braces is
// left as written, so a stray brace in a text shows as typed.
#include "engine/template.hpp"

#include "engine/gsm7.hpp"
#include "engine/phone.hpp"

namespace hodi::engine {
namespace {

constexpr std::size_t template_name_chars_max = 64;

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

// The name of a template starting at text[open] ('{'), or empty when it is not one.
std::string_view template_name(std::string_view text, std::size_t open) {
    const std::size_t close = text.find('}', open + 1);
    if (close == std::string_view::npos) return {};
    const std::string_view name = text.substr(open + 1, close - open - 1);
    if (name.empty() || name.size() > template_name_chars_max) return {};
    for (const char c : name) {
        if (!is_name_char(c)) return {};
    }
    return name;
}

std::string phone_display(const Session& session) {
    const auto msisdn = normalise_msisdn(session.phone);
    return msisdn ? msisdn->display() : gsm7_safe(session.phone);
}

enum class Audience : bool { screen, action };

void append_value(std::string& out, std::string_view name, const Session& session,
                  Audience audience) {
    if (name == "phone") {
        out += audience == Audience::screen ? phone_display(session) : session.phone;
        return;
    }
    if (name == "language") {
        out += language_code(session.language);
        return;
    }
    // `{pin}` is masked even before a PIN is entered, so a prompt reads the same either way.
    if (audience == Audience::screen && name == "pin") {
        out += secret_mask;
        return;
    }
    if (const auto secret = session.secrets.find(name); secret != session.secrets.end()) {
        out += audience == Audience::screen ? std::string(secret_mask) : secret->second;
        return;
    }
    if (const auto value = session.variables.find(name); value != session.variables.end()) {
        out += audience == Audience::screen ? gsm7_safe(value->second) : value->second;
    }
}

std::string expand(std::string_view text, const Session& session, Audience audience) {
    std::string out;
    out.reserve(text.size());
    std::size_t done = 0;
    for (std::size_t open = text.find('{'); open != std::string_view::npos;
         open = text.find('{', open + 1)) {
        const std::string_view name = template_name(text, open);
        if (name.empty()) continue;
        out.append(text.substr(done, open - done));
        append_value(out, name, session, audience);
        done = open + name.size() + 2;
        open = done - 1;
    }
    out.append(text.substr(done));
    return out;
}

}  // namespace

std::string expand_for_screen(std::string_view text, const Session& session) {
    return expand(text, session, Audience::screen);
}

std::string expand_for_action(std::string_view text, const Session& session) {
    return expand(text, session, Audience::action);
}

}  // namespace hodi::engine
