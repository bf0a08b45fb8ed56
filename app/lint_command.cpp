// `hodi lint` and `hodi graph`: the menu author's tools. Lint compiles menu files against the
// action catalogue and prints every problem as file:line:col; graph draws a menu's screens
// and the keys and outcomes between them.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "menus/graph.hpp"
#include "menus/loader.hpp"
#include "storage/action_catalogue.hpp"

namespace hodi::app {

namespace {

// Diagnostics go to stderr, like a compiler's, so `hodi lint menus/*.yaml 2>&1 | less` and
// editors' error parsers both work; the per-file "ok" lines go to stdout.
int run_lint(const std::vector<std::string>& files) {
    std::size_t errors = 0;
    std::size_t broken_files = 0;
    for (const std::string& file : files) {
        const menus::LoadResult result =
            menus::load_menu_file(file, storage::builtin_action_specs());
        if (result.ok()) {
            std::cout << file << ": ok (" << result.menu->nodes.size() << " nodes)\n";
            continue;
        }
        std::cerr << menus::to_string(result.diagnostics);
        errors += result.diagnostics.size();
        ++broken_files;
    }
    if (errors == 0) return 0;
    std::cerr << "hodi lint: " << errors << (errors == 1 ? " error" : " errors") << " in "
              << broken_files << " of " << files.size()
              << (files.size() == 1 ? " file" : " files") << '\n';
    return 1;
}

int run_graph(const std::string& file, const std::string& format) {
    const menus::LoadResult result = menus::load_menu_file(file, storage::builtin_action_specs());
    if (!result.ok()) {
        std::cerr << menus::to_string(result.diagnostics);
        std::cerr << "hodi graph: " << file << " has errors; run `hodi lint " << file << "`\n";
        return 1;
    }
    std::cout << (format == "text" ? menus::graph_text(*result.menu)
                                   : menus::graph_dot(*result.menu));
    return 0;
}

struct GraphOptions {
    std::string file;
    std::string format = "dot";
};

}  // namespace

void add_lint_command(CLI::App& cli, int& exit_code) {
    auto files = std::make_shared<std::vector<std::string>>();
    CLI::App* command = cli.add_subcommand(
        "lint", "Check menu files; print every error as file:line:col (exit 1 on errors)");
    command->add_option("files", *files, "menu YAML files")->required()->check(CLI::ExistingFile);
    command->callback([files, &exit_code] { exit_code = run_lint(*files); });
}

void add_graph_command(CLI::App& cli, int& exit_code) {
    auto options = std::make_shared<GraphOptions>();
    CLI::App* command = cli.add_subcommand(
        "graph", "Print a menu's screens and links as Graphviz DOT (dot -Tsvg) or text");
    command->add_option("file", options->file, "menu YAML file")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--format", options->format, "dot or text")
        ->check(CLI::IsMember({"dot", "text"}))
        ->capture_default_str();
    command->callback([options, &exit_code] {
        exit_code = run_graph(options->file, options->format);
    });
}

}  // namespace hodi::app
