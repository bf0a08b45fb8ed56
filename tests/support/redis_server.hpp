// A real redis-server for tests: started on a random loopback port with no persistence, and
// stoppable, killable, pausable and restartable on the same port, so tests can take Redis away
// and bring it back under a running hodi. Skips cleanly where redis-server is not installed.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace hodi::test {

// Not thread-safe, except command(), which opens its own connection on each call.
class RedisServer {
public:
    // Whether redis-server can be run here; tests skip with a MESSAGE when it cannot.
    static bool available();

    // Picks a port and a scratch folder; does not start. With a password the server requires
    // AUTH, and command() sends it first.
    explicit RedisServer(std::string password = {});
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    // Starts (or restarts) on port(); true once it accepts connections within `timeout`.
    bool start(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    void stop();    ///< SIGTERM and reap; keeps the port for a later start()
    void kill();    ///< SIGKILL, like a crash: clients see their connections reset
    void pause();   ///< SIGSTOP: connections stay open but nothing is answered
    void resume();  ///< SIGCONT
    bool running() const { return child_ != nullptr; }

    unsigned short port() const { return port_; }
    std::string url(int db = 0) const;  ///< "redis://127.0.0.1:PORT/DB"
    // Where the server keeps its files (a SAVE writes dump.rdb here).
    const std::filesystem::path& folder() const { return folder_; }

    // Runs one command on a fresh connection and renders the reply with its RESP type byte:
    // "+OK", "-ERR ...", ":42", "$<bytes>" or "(nil)". Throws std::runtime_error on I/O failure
    // or when nothing answers within `timeout`.
    std::string command(const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
    // The integer of an integer reply (PTTL, DBSIZE, EXISTS); throws on any other reply.
    long long integer(const std::vector<std::string>& args) const;

private:
    unsigned short port_;
    std::string password_;
    std::filesystem::path folder_;
    std::unique_ptr<ChildProcess> child_;
};

}  // namespace hodi::test
