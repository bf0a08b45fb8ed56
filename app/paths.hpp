// Where hodi keeps and finds its files: the default bank and pepper under ./var/, and the
// places `hodi serve` looks for the shipped menu when no configuration names one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hodi::app {

// The SQLite bank every command opens unless told otherwise; relative to the working directory.
inline const std::filesystem::path default_database_path = "var/hodi.db";
// The PIN pepper file `hodi serve` reads or creates; relative to the working directory.
inline const std::filesystem::path default_pin_pepper_path = "var/pin_pepper";
// The Daraja callbacks' path token, created on first start when none is configured; in the
// bank database's folder.
inline const std::filesystem::path daraja_token_file_name = "daraja_callback_token";
// The shipped menu, relative to each place it is looked for in.
inline const std::filesystem::path shipped_menu_path = "menus/hodi.yaml";

// The places the shipped menu is looked for, in order: the working directory, the folder of
// the running binary (the build copies menus/ next to it), and the install prefix's data folder.
struct MenuPlaces {
    std::filesystem::path working_directory;
    std::optional<std::filesystem::path> binary_directory;  ///< unknown when /proc is missing
    std::filesystem::path data_directory;                   ///< <prefix>/share/hodi
};

// This process's places: the current directory, /proc/self/exe's folder and the prefix hodi
// was built for (CMAKE_INSTALL_PREFIX).
MenuPlaces menu_places();

// What locate_menu found: a path, or an error naming every place looked at.
struct MenuLocation {
    std::optional<std::filesystem::path> path;
    std::string error;  ///< set when path is not
};

// `configured` as it is when set (`menu:` or HODI_MENU, taken literally); else the first of
// the places holding shipped_menu_path.
MenuLocation locate_menu(const std::optional<std::filesystem::path>& configured,
                         const MenuPlaces& places);

}  // namespace hodi::app
