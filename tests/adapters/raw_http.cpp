// Raw loopback exchanges over plain POSIX sockets, so the server is tested by bytes on the wire.
#include "tests/adapters/raw_http.hpp"

#include <thread>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace hodi::test {

namespace {

std::uint16_t local_port_of(int fd) {
    sockaddr_in local{};
    socklen_t size = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) != 0) return 0;
    return ntohs(local.sin_port);
}

RawExchange exchange(const char* from, std::uint16_t port,
                     const std::vector<std::string_view>& pieces, std::chrono::milliseconds gap,
                     std::chrono::milliseconds wait);

}  // namespace

RawExchange raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds wait) {
    return exchange(nullptr, port, std::vector<std::string_view>{bytes},
                    std::chrono::milliseconds(0), wait);
}

RawExchange raw_exchange(std::uint16_t port, const std::vector<std::string_view>& pieces,
                         std::chrono::milliseconds gap, std::chrono::milliseconds wait) {
    return exchange(nullptr, port, pieces, gap, wait);
}

RawExchange raw_exchange_from(const char* from, std::uint16_t port, std::string_view bytes,
                              std::chrono::milliseconds wait) {
    return exchange(from, port, std::vector<std::string_view>{bytes},
                    std::chrono::milliseconds(0), wait);
}

namespace {

RawExchange exchange(const char* from, std::uint16_t port,
                     const std::vector<std::string_view>& pieces, std::chrono::milliseconds gap,
                     std::chrono::milliseconds wait) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    if (from != nullptr) {
        sockaddr_in source{};
        source.sin_family = AF_INET;
        REQUIRE(::inet_pton(AF_INET, from, &source.sin_addr) == 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) == 0);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    RawExchange result;
    result.local_port = local_port_of(fd);
    for (std::size_t index = 0; index < pieces.size(); ++index) {
        // A pause between writes is the only way to make the server's reads see them apart.
        if (index > 0) std::this_thread::sleep_for(gap);
        const std::string_view bytes = pieces[index];
        REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(bytes.size()));
    }
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + wait;
    char chunk[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd poll_fd{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (::poll(&poll_fd, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) continue;
        const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0) {
            result.closed = true;
            break;
        }
        result.received.append(chunk, static_cast<std::size_t>(got));
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    ::close(fd);
    return result;
}

}  // namespace

std::string_view raw_body(std::string_view response) {
    const std::size_t blank = response.find("\r\n\r\n");
    return blank == std::string_view::npos ? std::string_view{} : response.substr(blank + 4);
}

}  // namespace hodi::test
