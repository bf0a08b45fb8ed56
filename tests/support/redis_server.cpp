// A real redis-server for tests; see redis_server.hpp.
#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace hodi::test {

namespace {

constexpr const char* redis_server_path = "/usr/bin/redis-server";

// A blocking RESP exchange with deadline-bounded reads: enough for test set-up and checks.
class AdminConnection {
public:
    AdminConnection(unsigned short port, std::chrono::milliseconds timeout)
        : deadline_(std::chrono::steady_clock::now() + timeout) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            close_fd();
            throw std::runtime_error("cannot connect to redis on port " + std::to_string(port));
        }
    }
    ~AdminConnection() { close_fd(); }
    AdminConnection(const AdminConnection&) = delete;
    AdminConnection& operator=(const AdminConnection&) = delete;

    void send(const std::vector<std::string>& args) {
        std::string request = "*" + std::to_string(args.size()) + "\r\n";
        for (const auto& arg : args) {
            request += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
        }
        std::size_t sent = 0;
        while (sent < request.size()) {
            const ssize_t written = ::send(fd_, request.data() + sent, request.size() - sent,
                                           MSG_NOSIGNAL);
            if (written <= 0) throw std::runtime_error("redis: send failed");
            sent += static_cast<std::size_t>(written);
        }
    }

    std::string reply() {
        const std::string line = read_line();
        if (line.empty()) throw std::runtime_error("redis: empty reply line");
        switch (line[0]) {
            case '+':
            case '-':
            case ':': return line;
            case '$': {
                const long long size = std::stoll(line.substr(1));
                if (size < 0) return "(nil)";
                std::string body = read_exact(static_cast<std::size_t>(size) + 2);
                body.resize(static_cast<std::size_t>(size));
                return "$" + body;
            }
            default: throw std::runtime_error("redis: unsupported reply '" + line + "'");
        }
    }

private:
    void close_fd() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void fill() {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline_ - std::chrono::steady_clock::now());
        pollfd waiting{fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&waiting, 1, static_cast<int>(left.count())) <= 0) {
            throw std::runtime_error("redis: no reply in time");
        }
        char chunk[4096];
        const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
        if (got <= 0) throw std::runtime_error("redis: connection closed");
        buffer_.append(chunk, static_cast<std::size_t>(got));
    }
    std::string read_line() {
        std::size_t end;
        while ((end = buffer_.find("\r\n")) == std::string::npos) fill();
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return line;
    }
    std::string read_exact(std::size_t size) {
        while (buffer_.size() < size) fill();
        std::string out = buffer_.substr(0, size);
        buffer_.erase(0, size);
        return out;
    }

    int fd_ = -1;
    std::chrono::steady_clock::time_point deadline_;
    std::string buffer_;
};

}  // namespace

bool RedisServer::available() { return access(redis_server_path, X_OK) == 0; }

RedisServer::RedisServer(std::string password)
    : port_(free_loopback_port()), password_(std::move(password)) {
    std::string pattern = (std::filesystem::temp_directory_path() / "hodi-redis-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    folder_ = pattern;
}

RedisServer::~RedisServer() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
}

bool RedisServer::start(std::chrono::milliseconds timeout) {
    stop();
    std::vector<std::string> argv{redis_server_path, "--port", std::to_string(port_), "--bind",
                                  "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                                  folder_.string(), "--enable-debug-command", "local"};
    if (!password_.empty()) {
        argv.push_back("--requirepass");
        argv.push_back(password_);
    }
    child_ = std::make_unique<ChildProcess>(std::move(argv), std::vector<std::string>{},
                                            folder_ / "redis.log");
    return wait_for_port(port_, timeout);
}

void RedisServer::stop() {
    if (!child_) return;
    child_->signal(SIGCONT);  // a paused server would never act on SIGTERM
    child_->stop(std::chrono::seconds(5));
    child_.reset();
}

void RedisServer::kill() {
    if (!child_) return;
    child_->signal(SIGKILL);
    child_->wait(std::chrono::seconds(5));
    child_.reset();
}

void RedisServer::pause() {
    if (child_) child_->signal(SIGSTOP);
}

void RedisServer::resume() {
    if (child_) child_->signal(SIGCONT);
}

std::string RedisServer::url(int db) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

std::string RedisServer::command(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout) const {
    AdminConnection connection(port_, timeout);
    if (!password_.empty()) {
        connection.send({"AUTH", password_});
        const std::string answer = connection.reply();
        if (answer != "+OK") throw std::runtime_error("redis: AUTH failed: " + answer);
    }
    connection.send(args);
    return connection.reply();
}

long long RedisServer::integer(const std::vector<std::string>& args) const {
    const std::string answer = command(args);
    if (answer.empty() || answer[0] != ':') {
        throw std::runtime_error("redis: expected an integer, got '" + answer + "'");
    }
    return std::stoll(answer.substr(1));
}

}  // namespace hodi::test
