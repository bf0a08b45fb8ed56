// hodi: a USSD/SMS-first session server. One binary; the work is in its subcommands.
#include <CLI/CLI.hpp>

#include <csignal>

#include "app/commands.hpp"

int main(int argc, char** argv) {
    // A peer that closes its socket must cost an error code, not the process: hiredis writes
    // with write(2), which raises SIGPIPE when Redis has gone away (Asio's sockets already pass
    // MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
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
    hodi::app::add_review_command(cli, exit_code);
    CLI11_PARSE(cli, argc, argv);
    return exit_code;
}
