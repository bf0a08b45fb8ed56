// What the engine asks its caller to do when a screen needs data or a change, and what the
// caller answers. The engine never runs an action itself: step() returns an ActionRequest, the
// caller runs it (storage's executor, off the network threads) and calls resume().
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hodi::engine {

using Variables = std::map<std::string, std::string, std::less<>>;

struct ActionRequest {
    std::string name;  ///< registered action name, e.g. "wallet.balance"
    Variables args;    ///< parameters after `{var}` expansion; may hold a PIN: never log them
};

struct ActionResult {
    std::string outcome = "ok";  ///< selects the action node's branch (`on:` in YAML)
    Variables outputs;           ///< merged into the session's variables
};

// What kind of value a parameter carries; the action checks it again before use.
enum class ParamType : std::uint8_t {
    text,    ///< free text (a goal name)
    amount,  ///< shillings, "1500" or "1500.50"
    pin,     ///< a PIN entry; never logged
    phone,   ///< E.164 Kenyan mobile
    digits,  ///< a number (a goal index, a day count)
    choice,  ///< one of a fixed set of words ("wallet", "mpesa"; "business", ...)
};

// A parameter of an action, as menus may pass it.
struct ActionParam {
    std::string name;
    ParamType type = ParamType::text;
    bool required = true;
    std::vector<std::string> choices;  ///< choice only: the words it accepts
};

// What an action accepts and may answer; menus are linted against these.
struct ActionSpec {
    std::string name;
    std::vector<ActionParam> params;
    std::vector<std::string> outcomes;  ///< every outcome it may return ("ok" included)
    std::vector<std::string> outputs;   ///< variables it sets on success
};

}  // namespace hodi::engine
