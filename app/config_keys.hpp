// The table config.cpp reads settings through: each key a row naming its YAML path, its
// HODI_* variable, how its text is read and the Settings field it sets. Shared by the files
// that add rows (config.cpp, config_daraja.cpp); not for use outside app/config*.cpp.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "app/config.hpp"

namespace hodi::app::config_keys {

// One row of the table: a setting's YAML path, its HODI_* variable, and what reading its text
// does to a Config.
struct Key {
    std::string_view yaml;  ///< dotted path in the YAML file
    std::string_view env;   ///< HODI_* variable
    std::function<void(Config&, const std::string& text, const std::string& where)> apply;
    bool list = false;  ///< YAML may give a sequence, read as its items joined by commas
};

// A row whose value `parse` reads and `target` names: target(config) is a reference to the
// field (or a std::tie of fields set together). A parser may take the field's current value
// as a third argument, to keep what the text leaves out.
template <class Parse, class Target>
Key key(std::string_view yaml, std::string_view env, Parse parse, Target target) {
    return {yaml, env,
            [parse, target](Config& config, const std::string& text, const std::string& where) {
                auto&& field = target(config);
                using Field = decltype(field);
                if constexpr (std::is_invocable_v<Parse, const std::string&, const std::string&,
                                                  Field>) {
                    field = parse(text, where, field);
                } else {
                    field = parse(text, where);
                }
            }};
}

// The Daraja rows (`daraja.*`), in config_daraja.cpp.
void add_daraja_keys(std::vector<Key>& keys);
// After the file and the environment: the Daraja secrets from the environment, the Safaricom
// allowlist when none is set in daraja mode, then check_daraja.
void finish_daraja(Config& config, const Environment& environment);
// Checks a `payments.mode: daraja` configuration is complete and sound; throws ConfigError.
void check_daraja(const Config& config);
// Fills the Daraja secrets from the environment, the only place they may come from.
void read_daraja_secrets(Config& config, const Environment& environment);

}  // namespace hodi::app::config_keys
