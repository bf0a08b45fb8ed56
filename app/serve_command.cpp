// `hodi serve`: reads the configuration, then lets a Node (app/node.hpp) serve AT USSD over
// HTTP until SIGINT or SIGTERM, finishing in-flight hops before it exits.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/node.hpp"

namespace hodi::app {

namespace {

// Exit codes: 0 stopped cleanly, 1 could not serve (port taken), 2 bad configuration or menu.
constexpr int exit_cannot_serve = 1;
constexpr int exit_bad_config = 2;

struct ServeOptions {
    std::optional<std::string> config_file;
    std::optional<std::string> listen;
};

std::optional<Config> read_config(const ServeOptions& options) {
    try {
        std::optional<std::filesystem::path> file;
        if (options.config_file) file = *options.config_file;
        Config config = load_config(file);
        if (options.listen) set_listen(config, *options.listen, "--listen");
        return config;
    } catch (const ConfigError& error) {
        std::cerr << error.what() << "\nhodi serve: bad configuration; not starting\n";
        return std::nullopt;
    }
}

int exit_code_of(NodeStatus status) {
    switch (status) {
        case NodeStatus::ok:
            return 0;
        case NodeStatus::bad_menu:
            return exit_bad_config;
        case NodeStatus::cannot_serve:
            return exit_cannot_serve;
    }
    return exit_cannot_serve;
}

int run_serve(const ServeOptions& options) {
    std::optional<Config> config = read_config(options);
    if (!config) return exit_bad_config;
    Node node(std::move(*config));
    if (const NodeStatus opened = node.open(); opened != NodeStatus::ok) {
        return exit_code_of(opened);
    }
    if (const NodeStatus started = node.start(); started != NodeStatus::ok) {
        return exit_code_of(started);
    }
    node.run();
    node.stop();
    spdlog::info("hodi stopped");
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& cli, int& exit_code) {
    auto options = std::make_shared<ServeOptions>();
    CLI::App* serve = cli.add_subcommand("serve", "Serve AT USSD callbacks over HTTP");
    serve->add_option("--config", options->config_file,
                      "YAML configuration file (see examples/hodi.yaml); default: HODI_CONFIG");
    serve->add_option("--listen", options->listen,
                      "HOST:PORT to listen on (default 127.0.0.1:8080)");
    serve->callback([options, &exit_code] { exit_code = run_serve(*options); });
}

}  // namespace hodi::app
