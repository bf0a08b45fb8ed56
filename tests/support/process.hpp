// Child processes and loopback ports for tests that start real servers (hodi, redis-server).
// Every child is killed and reaped when its ChildProcess is destroyed, so a failing test never
// leaves a server behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hodi::test {

// A port on 127.0.0.1 that was free a moment ago (bound with port 0, then released).
unsigned short free_loopback_port();

// True once something accepts TCP connections on 127.0.0.1:port, polling until `timeout`.
bool wait_for_port(unsigned short port, std::chrono::milliseconds timeout);

class ChildProcess {
public:
    // Starts `argv[0]` (searched in PATH) with `argv`; `env` entries ("KEY=value") are added to
    // this process's environment. stdout and stderr go to `log_file` when given.
    ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {},
                 std::optional<std::filesystem::path> log_file = std::nullopt);
    ~ChildProcess();
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    void signal(int signal_number);
    // Waits for the child to exit; returns its exit status (128+signal when killed), or
    // nullopt if it is still running after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // SIGTERM, then SIGKILL after `grace`; returns the exit status.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

// Runs a command to completion, capturing stdout+stderr; bounded by `timeout`.
struct CommandResult {
    int exit_code = -1;
    std::string output;
};
CommandResult run_command(std::vector<std::string> argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          std::vector<std::string> env = {});

}  // namespace hodi::test
