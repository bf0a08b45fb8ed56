// The compiled menu: what menus/ builds from YAML and the engine walks. Immutable once built;
// shared between threads through std::shared_ptr<const Menu>.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/action.hpp"
#include "engine/language.hpp"
#include "engine/limits.hpp"
#include "engine/pattern.hpp"
#include "engine/phone.hpp"

namespace hodi::engine {

// One numbered line of a menu node. `key` is what the subscriber types ("1", "2", ... or an
// explicit key from YAML); it stays the same on every page.
struct Option {
    std::string key;
    Text label;
    std::string target;  ///< node id
};

struct MenuNode {
    Text title;
    std::vector<Option> options;
};

enum class CheckKind : std::uint8_t {
    any,     ///< any non-empty entry up to length limits
    digits,  ///< only 0-9, length within [min_length, max_length]
    amount,  ///< whole or two-decimal shillings within [min, max]; stored as cents string
    pin,     ///< exactly pin_length digits; masked, never logged, never kept after use
    phone,   ///< Kenyan mobile, normalised to E.164 per PROTOCOLS.md §4
    regex,   ///< ECMAScript pattern, whole entry must match
};

// What an input node accepts. A regex check is built with InputCheck::matching, which compiles
// its pattern, so the engine never meets a pattern it would have to compile itself.
struct InputCheck {
    CheckKind kind = CheckKind::any;
    std::size_t min_length = 1;
    std::size_t max_length = input_chars_max;
    std::int64_t min_cents = 0;  ///< amount only
    std::int64_t max_cents = 0;  ///< amount only; 0 means no upper bound
    std::size_t pin_length = 4;  ///< pin only
    std::optional<Pattern> pattern;  ///< regex only; always set on a regex check
    PhonePolicy phone_policy = PhonePolicy::lenient;  ///< phone only
    std::optional<Text> error;   ///< overrides the built-in reason

    // A regex check for `pattern`, compiled here. Throws std::regex_error as Pattern does.
    static InputCheck matching(std::string pattern);
};

struct InputNode {
    Text prompt;
    InputCheck check;
    std::string save_as;  ///< variable name the entry is stored under
    std::string target;
    bool navigation = true;  ///< whether back/home keys act here (and are shown)
};

struct ActionNode {
    std::string action;
    Variables args;  ///< values may hold `{var}` templates
    std::map<std::string, std::string, std::less<>> on;  ///< outcome -> node id
    std::string otherwise;  ///< node id for any outcome not in `on`; may be empty
};

struct EndNode {
    Text text;
};

// Shows the languages hodi speaks; the choice holds for the rest of the session.
struct LanguageNode {
    Text title;
    std::string target;
};

struct Node {
    std::string id;
    bool irreversible = false;  ///< once passed, back cannot return before this node
    std::variant<MenuNode, InputNode, ActionNode, EndNode, LanguageNode> body;
};

struct NavigationKeys {
    std::string back = "0";
    std::string home = "00";
    std::string more = "98";
};

// Texts the engine itself shows (navigation labels, reasons, notices). Menus may override any.
struct SystemTexts {
    Text back{{"Back", "Rudi"}};
    Text home{{"Home", "Menu Kuu"}};
    Text more{{"More", "Zaidi"}};
    Text invalid_choice{{"Invalid choice.", "Chaguo si sahihi."}};
    Text invalid_digits{{"Enter digits only.", "Weka nambari pekee."}};
    Text invalid_amount{{"Invalid amount.", "Kiasi si sahihi."}};
    Text invalid_pin{{"Invalid PIN format.", "PIN si sahihi."}};
    Text invalid_phone{{"Invalid phone number.", "Nambari ya simu si sahihi."}};
    Text invalid_entry{{"Invalid entry.", "Uliyoweka si sahihi."}};
    Text too_many_tries{{"Too many invalid entries. Please dial again.",
                         "Umekosea mara nyingi. Tafadhali piga tena."}};
    Text session_expired{{"Your session timed out. Starting again.",
                          "Muda wa kikao umeisha. Tunaanza upya."}};
    Text cannot_go_back{{"This step cannot be undone.", "Hatua hii haiwezi kurudishwa."}};
    Text service_error{{"Sorry, the service is unavailable. Please try again later.",
                        "Samahani, huduma haipatikani. Tafadhali jaribu baadaye."}};
};

struct Menu {
    std::string name;         ///< menu file stem, e.g. "hodi"
    std::string version;      ///< content hash set by the loader; sessions remember it
    std::string root;         ///< node id of the first screen
    NavigationKeys navigation;
    std::size_t screen_chars = screen_chars_max;  ///< page budget, <= screen_chars_hard_max
    int input_tries = input_tries_max;
    std::chrono::seconds session_timeout = session_ttl;
    Language default_language = Language::en;
    SystemTexts texts;
    std::unordered_map<std::string, Node> nodes;

    const Node* find(std::string_view id) const;
    const Node& at(std::string_view id) const;  ///< HODI_ASSERTs the node exists
};

}  // namespace hodi::engine
