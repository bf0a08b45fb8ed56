// Child processes and loopback ports for tests; see process.hpp.
#include "tests/support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace hodi::test {

namespace {

int exit_status(int raw) {
    if (WIFEXITED(raw)) return WEXITSTATUS(raw);
    if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
    return -1;
}

sockaddr_in loopback(unsigned short port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            int output_fd) {
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Own process group, so stopping the child also stops anything it started.
        setpgid(0, 0);
        if (output_fd >= 0) {
            dup2(output_fd, STDOUT_FILENO);
            dup2(output_fd, STDERR_FILENO);
        }
        const int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
        for (const auto& entry : env) putenv(const_cast<char*>(entry.c_str()));
        execvp(args[0], args.data());
        _exit(127);
    }
    return pid;
}

}  // namespace

unsigned short free_loopback_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    close(fd);
    return ntohs(address.sin_port);
}

bool wait_for_port(unsigned short port, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address = loopback(port);
        const bool connected =
            connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        close(fd);
        if (connected) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::string> env,
                           std::optional<std::filesystem::path> log_file) {
    int output_fd = -1;
    if (log_file) {
        output_fd = open(log_file->c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    pid_ = spawn(argv, env, output_fd);
    if (output_fd >= 0) close(output_fd);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), status_(other.status_) {
    other.pid_ = -1;
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) stop(std::chrono::seconds(2));
}

bool ChildProcess::running() { return pid_ > 0 && !wait(std::chrono::milliseconds(0)); }

void ChildProcess::signal(int signal_number) {
    if (pid_ > 0 && !status_) kill(pid_, signal_number);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int raw = 0;
        const pid_t done = waitpid(pid_, &raw, WNOHANG);
        if (done == pid_) {
            status_ = exit_status(raw);
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return -1;
    if (status_) return *status_;
    kill(pid_, SIGTERM);
    if (auto status = wait(grace)) return *status;
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    return wait(std::chrono::seconds(10)).value_or(-1);
}

CommandResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                          std::vector<std::string> env) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = spawn(argv, env, pipe_fds[1]);
    close(pipe_fds[1]);
    CommandResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            result.output += "\n[run_command: timed out]";
            break;
        }
        pollfd poll_fd{pipe_fds[0], POLLIN, 0};
        if (poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
        const ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
        if (got <= 0) break;
        result.output.append(buffer, static_cast<std::size_t>(got));
    }
    close(pipe_fds[0]);
    int raw = 0;
    waitpid(pid, &raw, 0);
    result.exit_code = exit_status(raw);
    return result;
}

}  // namespace hodi::test
