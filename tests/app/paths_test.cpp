// Where `hodi serve` finds the shipped menu when no configuration names one.
#include "app/paths.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using app::locate_menu;
using app::MenuPlaces;

void write_menu(const std::filesystem::path& folder) {
    std::filesystem::create_directories(folder / "menus");
    std::ofstream(folder / app::shipped_menu_path) << "name: t\n";
}

// Three empty folders standing for the working directory, the binary's and the data folder.
struct Places {
    TempDir dir;
    MenuPlaces places{.working_directory = dir.path() / "cwd",
                      .binary_directory = dir.path() / "bin",
                      .data_directory = dir.path() / "share"};
};

}  // namespace

TEST_CASE("a configured menu is taken as written, even when it does not exist") {
    // Goal: `menu:` overrides the search, and a typo in it is reported by the loader as that
    // file, not hidden by a shipped menu found elsewhere. Method: configure a missing file
    // while the working directory has the shipped one.
    Places p;
    write_menu(p.places.working_directory);
    const auto found = locate_menu(std::filesystem::path{"elsewhere/mine.yaml"}, p.places);
    REQUIRE(found.path.has_value());
    CHECK(*found.path == "elsewhere/mine.yaml");
}

TEST_CASE("the shipped menu is looked for in the working directory, then next to the binary, "
          "then under the install prefix") {
    // Goal: `hodi serve` runs from the repository, from anywhere with a built binary, and
    // installed. Method: put the menu in one place at a time, from the last to the first.
    Places p;
    CHECK_FALSE(locate_menu(std::nullopt, p.places).path.has_value());
    write_menu(p.places.data_directory);
    CHECK(locate_menu(std::nullopt, p.places).path ==
          p.places.data_directory / app::shipped_menu_path);
    write_menu(*p.places.binary_directory);
    CHECK(locate_menu(std::nullopt, p.places).path ==
          *p.places.binary_directory / app::shipped_menu_path);
    write_menu(p.places.working_directory);
    CHECK(locate_menu(std::nullopt, p.places).path ==
          p.places.working_directory / app::shipped_menu_path);
}

TEST_CASE("when no place has the shipped menu the error names every place looked in") {
    // Goal: an operator sees where to put the menu or what to configure. Method: no menu
    // anywhere, no binary folder known.
    Places p;
    p.places.binary_directory.reset();
    const auto found = locate_menu(std::nullopt, p.places);
    CHECK_FALSE(found.path.has_value());
    CHECK(found.error.find((p.places.working_directory / "menus/hodi.yaml").string()) !=
          std::string::npos);
    CHECK(found.error.find((p.places.data_directory / "menus/hodi.yaml").string()) !=
          std::string::npos);
    CHECK(found.error.find("HODI_MENU") != std::string::npos);
}

}  // namespace hodi::test
