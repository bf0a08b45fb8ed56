// The M-Pesa rails; see node_payments.hpp.
#include "app/node_payments.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "adapters/daraja/daraja_client.hpp"
#include "adapters/daraja/daraja_routes.hpp"
#include "adapters/daraja/daraja_senders.hpp"
#include "adapters/daraja/fake_daraja.hpp"
#include "adapters/http_server.hpp"
#include "adapters/outbound_http.hpp"
#include "adapters/router.hpp"
#include "adapters/sandbox_sender.hpp"
#include "app/node_components.hpp"
#include "app/pepper.hpp"

namespace hodi::app {

namespace {

using adapters::OutboundHttp;
using namespace adapters::daraja;

// The fake's callbacks to hodi go through the same client hodi calls Daraja with.
net::awaitable<CallbackAnswer> post_callback(std::shared_ptr<OutboundHttp> http,
                                             std::string url, std::string body) {
    adapters::OutboundRequest request;
    request.url = std::move(url);
    request.content_type = "application/json";
    request.body = std::move(body);
    adapters::OutboundResult result = co_await http->call(std::move(request));
    CallbackAnswer answer;
    if (result.ok()) {
        answer.delivered = result.reply->status >= 200 && result.reply->status < 300;
        answer.body = std::move(result.reply->body);
    }
    co_return answer;
}

std::string random_password() {
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    char hex[sizeof bytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return hex;
}

std::optional<std::string> read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The address the fake reaches hodi at: hodi's own, or loopback when hodi listens on all.
std::string reachable(const std::string& address) {
    if (address == "0.0.0.0" || address.empty()) return "127.0.0.1";
    if (address == "::") return "[::1]";
    if (address.find(':') != std::string::npos) return "[" + address + "]";
    return address;
}

}  // namespace

PaymentRails::PaymentRails(net::io_context& io, const PaymentSettings& payments)
    : io_(io), payments_(payments) {}

PaymentRails::~PaymentRails() {
    shutdown();
    // The fake posts through outbound_; it goes first.
    fake_server_.reset();
    fake_.reset();
    client_.reset();
    callbacks_.reset();
    outbound_.reset();
}

std::unique_ptr<PaymentRails> PaymentRails::open(net::io_context& io, storage::Store& store,
                                                 const PaymentSettings& payments) {
    std::unique_ptr<PaymentRails> rails(new PaymentRails(io, payments));
    const DarajaConfig& daraja = payments.daraja;
    const PepperResult token = load_or_create_pepper(daraja.callbacks.token,
                                                     daraja.callback_token_file);
    if (!token.pepper) {
        std::cerr << "hodi serve: the Daraja callback token: " << token.error
                  << "; not starting\n";
        return nullptr;
    }
    if (token.created) {
        spdlog::info("payments: created the Daraja callback token in {}",
                     daraja.callback_token_file.string());
    }
    rails->token_ = *token.pepper;
    rails->auth_ = daraja.callbacks;
    rails->auth_.token = rails->token_;
    if (payments.mode == Payments::sandbox && rails->auth_.allow_from.empty()) {
        rails->auth_.allow_from = adapters::loopback_ranges();
    }
    try {
        adapters::OutboundHttpSettings http;
        http.ca_file = daraja.ca_file;
        rails->outbound_ = std::make_shared<OutboundHttp>(io.get_executor(), std::move(http));
    } catch (const std::exception& error) {
        std::cerr << "hodi serve: " << error.what() << "; not starting\n";
        return nullptr;
    }
    rails->callbacks_ =
        std::make_shared<DarajaCallbacks>(io.get_executor(), store, wall_clock_seconds);
    if (payments.mode == Payments::sandbox && !rails->start_sandbox()) return nullptr;
    return rails;
}

// The fake Daraja, with an initiator key pair of its own: hodi encrypts the initiator password
// to its public key exactly as it does to Safaricom's certificate.
bool PaymentRails::start_sandbox() {
    std::string problem;
    std::optional<InitiatorKeys> keys = generate_initiator_keys(problem);
    if (!keys) {
        std::cerr << "hodi serve: the sandbox's initiator keys: " << problem << "; not starting\n";
        return false;
    }
    FakeDarajaSettings fake;
    fake.initiator_private_key_pem = keys->private_key_pem;
    fake.initiator_password = sandbox_initiator_password_ = random_password();
    fake.callback_delay = payments_.sandbox_delay;
    sandbox_public_key_pem_ = keys->public_key_pem;
    fake_ = std::make_unique<FakeDaraja>(io_.get_executor(), std::move(fake),
                                         std::bind_front(post_callback, outbound_));
    fake_routes_ = std::make_shared<adapters::Router>();
    fake_->add_routes(*fake_routes_);
    return true;
}

std::optional<DarajaSettings> PaymentRails::client_settings(
    const std::string& callback_base) const {
    DarajaSettings settings = payments_.daraja.api;
    settings.callback_base = callback_base;
    std::string problem;
    std::optional<std::string> credential;
    if (payments_.mode == Payments::sandbox) {
        const FakeDarajaSettings fake;
        settings.base_url = "http://" + reachable(payments_.sandbox_address) + ":" +
                            std::to_string(fake_server_->port());
        settings.consumer_key = fake.consumer_key;
        settings.consumer_secret = fake.consumer_secret;
        settings.stk_shortcode = fake.stk_shortcode;
        settings.passkey = fake.passkey;
        settings.till_number.reset();
        settings.b2c_shortcode = fake.b2c_shortcode;
        settings.initiator_name = fake.initiator_name;
        credential = security_credential(sandbox_public_key_pem_, sandbox_initiator_password_,
                                         problem);
    } else {
        const std::filesystem::path& file = *payments_.daraja.certificate;
        const std::optional<std::string> pem = read_text(file);
        if (!pem) {
            std::cerr << "hodi serve: cannot read daraja.certificate " << file.string()
                      << "; not starting\n";
            return std::nullopt;
        }
        credential = security_credential(*pem, *payments_.daraja.initiator_password, problem);
    }
    if (!credential) {
        std::cerr << "hodi serve: cannot make the B2C SecurityCredential: " << problem
                  << "; not starting\n";
        return std::nullopt;
    }
    settings.security_credential = std::move(*credential);
    return settings;
}

bool PaymentRails::start(const std::string& hodi_address, std::uint16_t hodi_port) {
    std::string callback_base;
    if (payments_.mode == Payments::sandbox) {
        adapters::HttpServerSettings http;
        http.address = payments_.sandbox_address;
        http.port = payments_.sandbox_port;
        http.shutdown_grace = std::chrono::milliseconds(1'000);
        fake_server_ = std::make_unique<adapters::HttpServer>(io_, std::move(http), fake_routes_);
        if (const auto ec = fake_server_->start()) {
            std::cerr << "hodi serve: the sandbox Daraja cannot listen on "
                      << payments_.sandbox_address << ':' << payments_.sandbox_port << ": "
                      << ec.message() << " (set payments.sandbox_listen); not starting\n";
            return false;
        }
        callback_base = "http://" + reachable(hodi_address) + ":" + std::to_string(hodi_port);
    } else {
        callback_base = payments_.daraja.public_url;
    }
    callback_base += "/daraja/" + token_;
    std::optional<DarajaSettings> settings = client_settings(callback_base);
    if (!settings) return false;
    client_ = std::make_shared<DarajaClient>(io_.get_executor(), outbound_, std::move(*settings));
    callbacks_->start();
    return true;
}

adapters::Senders PaymentRails::senders() const {
    const MpesaSenderSettings& settings = payments_.daraja.senders;
    return adapters::Senders{
        .stk_push = std::make_shared<StkPushSender>(client_, settings),
        .b2c = std::make_shared<B2cSender>(client_, settings),
        .sms = std::make_shared<adapters::SandboxSender>(
            adapters::SandboxSettings{.delay = payments_.sandbox_delay})};
}

void PaymentRails::shutdown() {
    if (callbacks_) callbacks_->stop();
    if (fake_) fake_->stop();
    if (fake_server_) fake_server_->shutdown();
}

std::uint16_t PaymentRails::sandbox_port() const {
    return fake_server_ ? fake_server_->port() : 0;
}

}  // namespace hodi::app
