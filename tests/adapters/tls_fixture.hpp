// What outbound client tests talk to: certificates made at run time (a CA and a leaf it signed
// for 127.0.0.1 and localhost), and a loopback HTTP/1.1 server, plain or TLS, on its own
// thread, whose behaviour a test sets: answer, hang after reading, never speak, or close.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace hodi::test {

struct TestCertificates {
    std::string ca_pem;    ///< the CA's certificate, what a client trusts
    std::string leaf_pem;  ///< the server's certificate, signed by the CA
    std::string leaf_key_pem;
};

// A fresh CA named `ca_name`, and a leaf it signed for `names` (a subjectAltName value).
TestCertificates make_test_certificates(const std::string& ca_name,
                                        const std::string& names = "IP:127.0.0.1,DNS:localhost");

// Writes `pem` to a new file under the temp directory; removed by the holder's destructor.
class TempPem {
public:
    explicit TempPem(const std::string& pem);
    ~TempPem();
    TempPem(const TempPem&) = delete;
    TempPem& operator=(const TempPem&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

enum class ServerBehaviour : std::uint8_t {
    answer,        ///< 200 with an echo of the request, keep-alive
    answer_close,  ///< the same with Connection: close, then close
    hang,          ///< read the request, never answer
    silent,        ///< accept, never read or write (a TLS client waits for the handshake)
    big_body,      ///< 200 with a 64 KiB body
};

// The server echoes "METHOD TARGET\nAuthorization\nHost\nBODY" so tests see what was sent.
class LoopbackServer {
public:
    // TLS with `certificates` when given, plain HTTP otherwise.
    explicit LoopbackServer(const TestCertificates* certificates = nullptr);
    ~LoopbackServer();
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    std::uint16_t port() const { return port_; }
    void behave(ServerBehaviour behaviour);
    std::size_t accepted() const;
    std::size_t requests() const;
    // Closes every open connection, as a server does to idle keep-alive connections.
    void close_connections();

    struct State;  // defined in the .cpp

private:
    std::shared_ptr<State> state_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace hodi::test
