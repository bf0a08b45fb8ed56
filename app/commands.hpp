// The subcommands of the `hodi` binary. Each lives in its own file and registers itself on the
// CLI; the callback stores the command's exit code in `exit_code`.
#pragma once

namespace CLI {
class App;
}

namespace hodi::app {

void add_serve_command(CLI::App& cli, int& exit_code);  ///< app/serve_command.cpp
void add_sim_command(CLI::App& cli, int& exit_code);    ///< app/sim_command.cpp
void add_lint_command(CLI::App& cli, int& exit_code);   ///< app/lint_command.cpp
void add_graph_command(CLI::App& cli, int& exit_code);  ///< app/lint_command.cpp
void add_check_command(CLI::App& cli, int& exit_code);  ///< app/check_command.cpp
void add_admin_command(CLI::App& cli, int& exit_code);  ///< app/admin_command.cpp
void add_audit_command(CLI::App& cli, int& exit_code);  ///< app/audit_command.cpp
void add_review_command(CLI::App& cli, int& exit_code);  ///< app/review_command.cpp

}  // namespace hodi::app
