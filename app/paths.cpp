// Finding the shipped menu from wherever `hodi serve` is started; see paths.hpp.
#include "app/paths.hpp"

#include <system_error>
#include <utility>

#ifndef HODI_INSTALL_DATADIR
#define HODI_INSTALL_DATADIR "/usr/local/share/hodi"
#endif

namespace hodi::app {

namespace {

struct Place {
    std::filesystem::path file;
    const char* what;
};

std::vector<Place> candidates(const MenuPlaces& places) {
    std::vector<Place> found{{places.working_directory / shipped_menu_path, "working directory"}};
    if (places.binary_directory) {
        found.push_back({*places.binary_directory / shipped_menu_path, "next to the binary"});
    }
    found.push_back({places.data_directory / shipped_menu_path, "install prefix"});
    return found;
}

}  // namespace

MenuPlaces menu_places() {
    MenuPlaces places;
    std::error_code ec;
    places.working_directory = std::filesystem::current_path(ec);
    // A working directory that was removed under us still has a name for the error message.
    if (ec) places.working_directory = ".";
    const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) places.binary_directory = binary.parent_path();
    places.data_directory = HODI_INSTALL_DATADIR;
    return places;
}

MenuLocation locate_menu(const std::optional<std::filesystem::path>& configured,
                         const MenuPlaces& places) {
    if (configured) return {.path = *configured, .error = {}};
    std::string looked;
    for (Place& place : candidates(places)) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(place.file, ec)) {
            return {.path = std::move(place.file), .error = {}};
        }
        looked += "\n  " + place.file.string() + " (" + place.what + ")";
    }
    return {.path = std::nullopt,
            .error = "cannot find the shipped menu " + shipped_menu_path.string() +
                     "; looked in:" + looked +
                     "\nname a menu file with `menu:` in the configuration or HODI_MENU"};
}

}  // namespace hodi::app
