// hodi: a USSD/SMS-first session server. One binary; the work is in its subcommands.
#include <CLI/CLI.hpp>

#include "app/commands.hpp"

int main(int argc, char** argv) {
    CLI::App cli{"hodi: USSD and SMS menus that move money, over Africa's Talking and M-Pesa"};
    cli.require_subcommand(1);
    int exit_code = 0;
    hodi::app::add_serve_command(cli, exit_code);
    hodi::app::add_sim_command(cli, exit_code);
    hodi::app::add_lint_command(cli, exit_code);
    hodi::app::add_graph_command(cli, exit_code);
    hodi::app::add_check_command(cli, exit_code);
    hodi::app::add_admin_command(cli, exit_code);
    hodi::app::add_audit_command(cli, exit_code);
    CLI11_PARSE(cli, argc, argv);
    return exit_code;
}
