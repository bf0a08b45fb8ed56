// Run-time certificates with OpenSSL's X509 API, and the loopback server the outbound client's
// tests call. The server stops by closing everything it holds and letting its thread's
// io_context run out of work, so no coroutine is left suspended at exit.
#include "tests/adapters/tls_fixture.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fstream>
#include <future>
#include <optional>
#include <stdexcept>
#include <vector>

namespace hodi::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
    void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void require(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificates: ") + what);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    require(extension != nullptr, "extension");
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, signed by `issuer_key` (self-signed when
// `issuer` is null).
Cert make_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                      EVP_PKEY* issuer_key, long serial, const std::string& names) {
    Cert cert(X509_new());
    require(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                               -1, 0);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    if (issuer == nullptr) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_subject_alt_name, names.c_str());
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    }
    require(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return text;
}

std::string cert_pem(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    return bio_text(bio);
}

std::string key_pem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    return bio_text(bio);
}

}  // namespace

TestCertificates make_test_certificates(const std::string& ca_name, const std::string& names) {
    Key ca_key(EVP_EC_gen("P-256"));
    Key leaf_key(EVP_EC_gen("P-256"));
    require(ca_key && leaf_key, "EVP_EC_gen");
    Cert ca = make_certificate(ca_key.get(), ca_name, nullptr, ca_key.get(), 1, names);
    Cert leaf =
        make_certificate(leaf_key.get(), "hodi test server", ca.get(), ca_key.get(), 2, names);
    return TestCertificates{cert_pem(ca.get()), cert_pem(leaf.get()), key_pem(leaf_key.get())};
}

TempPem::TempPem(const std::string& pem) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("hodi-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".pem");
    std::ofstream(path_) << pem;
}

TempPem::~TempPem() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

struct LoopbackServer::State {
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::optional<ssl::context> tls;
    net::steady_timer quiet{ioc, net::steady_timer::time_point::max()};
    std::vector<std::weak_ptr<tcp::socket>> sockets;  ///< touched on the io thread only
    std::atomic<ServerBehaviour> behaviour{ServerBehaviour::answer};
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> requests{0};

    void close_all() {
        for (auto& held : sockets) {
            if (auto socket = held.lock()) {
                error_code ignored;
                socket->shutdown(tcp::socket::shutdown_both, ignored);
                socket->close(ignored);
            }
        }
        sockets.clear();
    }
};

namespace {

using State = LoopbackServer::State;

http::response<http::string_body> echo(const http::request<http::string_body>& request,
                                       ServerBehaviour behaviour) {
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "text/plain");
    if (behaviour == ServerBehaviour::big_body) {
        response.body() = std::string(64 * 1024, 'x');
    } else {
        response.body() = std::string(request.method_string()) + " " +
                          std::string(request.target()) + "\n" +
                          std::string(request[http::field::authorization]) + "\n" +
                          std::string(request[http::field::host]) + "\n" + request.body();
    }
    response.keep_alive(behaviour != ServerBehaviour::answer_close);
    response.prepare_payload();
    return response;
}

template <class Stream>
net::awaitable<void> serve_requests(State* state, Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        auto [read_ec, read] =
            co_await http::async_read(stream, buffer, request, net::as_tuple(net::use_awaitable));
        (void)read;
        if (read_ec) co_return;
        ++state->requests;
        const ServerBehaviour behaviour = state->behaviour;
        if (behaviour == ServerBehaviour::hang) {
            // Waits for bytes that never come, until the client or the server closes.
            http::request<http::string_body> never;
            (void)co_await http::async_read(stream, buffer, never,
                                            net::as_tuple(net::use_awaitable));
            co_return;
        }
        const auto response = echo(request, behaviour);
        auto [write_ec, written] =
            co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
        (void)written;
        if (write_ec || !response.keep_alive()) co_return;
    }
}

net::awaitable<void> serve_connection(State* state, std::shared_ptr<tcp::socket> socket) {
    if (state->behaviour == ServerBehaviour::silent) {
        (void)co_await state->quiet.async_wait(net::as_tuple(net::use_awaitable));
        co_return;
    }
    if (!state->tls) {
        co_await serve_requests(state, *socket);
    } else {
        ssl::stream<tcp::socket&> stream(*socket, *state->tls);
        auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::server,
                                                              net::as_tuple(net::use_awaitable));
        if (!handshake_ec) co_await serve_requests(state, stream);
    }
    error_code ignored;
    socket->close(ignored);
}

net::awaitable<void> accept_loop(State* state) {
    for (;;) {
        auto socket = std::make_shared<tcp::socket>(state->ioc);
        auto [ec] = co_await state->acceptor.async_accept(*socket,
                                                          net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        ++state->accepted;
        state->sockets.push_back(socket);
        net::co_spawn(state->ioc, serve_connection(state, socket), net::detached);
    }
}

}  // namespace

LoopbackServer::LoopbackServer(const TestCertificates* certificates)
    : state_(std::make_shared<State>()) {
    if (certificates != nullptr) {
        state_->tls.emplace(ssl::context::tls_server);
        state_->tls->use_certificate_chain(net::buffer(certificates->leaf_pem));
        state_->tls->use_private_key(net::buffer(certificates->leaf_key_pem),
                                     ssl::context::pem);
    }
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    port_ = state_->acceptor.local_endpoint().port();
    net::co_spawn(state_->ioc, accept_loop(state_.get()), net::detached);
    thread_ = std::thread([state = state_] { state->ioc.run(); });
}

LoopbackServer::~LoopbackServer() {
    net::post(state_->ioc, [state = state_.get()] {
        error_code ignored;
        state->acceptor.close(ignored);
        state->quiet.cancel();
        state->close_all();
    });
    thread_.join();
}

void LoopbackServer::behave(ServerBehaviour behaviour) { state_->behaviour = behaviour; }
std::size_t LoopbackServer::accepted() const { return state_->accepted; }
std::size_t LoopbackServer::requests() const { return state_->requests; }

void LoopbackServer::close_connections() {
    std::promise<void> closed;
    net::post(state_->ioc, [state = state_.get(), &closed] {
        state->close_all();
        closed.set_value();
    });
    closed.get_future().wait();
}

}  // namespace hodi::test
