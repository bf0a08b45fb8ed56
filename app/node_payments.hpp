// The M-Pesa rails of `hodi serve`: the outbound HTTP client, the Daraja client and the
// outbox's senders over it, and Daraja's callbacks (routes and recovery). In the sandbox the
// Daraja called is the fake, served on its own loopback port (payments.sandbox_listen), so the
// whole money loop runs over real HTTP on a machine with no Daraja account.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "adapters/callback_guard.hpp"
#include "adapters/outbox_sender.hpp"
#include "app/config.hpp"
#include "storage/bank/sql/store.hpp"

namespace hodi::adapters {
class HttpServer;
class OutboundHttp;
class Router;
namespace daraja {
class DarajaCallbacks;
class DarajaClient;
class FakeDaraja;
}  // namespace daraja
}  // namespace hodi::adapters

namespace hodi::app {

namespace net = boost::asio;

class PaymentRails {
public:
    // Reads (or creates, beside the pepper) the callback token, prepares the callbacks over
    // `store` and, in the sandbox, the fake with a fresh initiator key pair. Prints why it
    // failed to stderr.
    static std::unique_ptr<PaymentRails> open(net::io_context& io, storage::Store& store,
                                              const PaymentSettings& payments);
    ~PaymentRails();
    PaymentRails(const PaymentRails&) = delete;
    PaymentRails& operator=(const PaymentRails&) = delete;

    // Who may call the /daraja/TOKEN/... routes: the token, and Safaricom's sources (daraja)
    // or loopback (sandbox) unless daraja.allow_from says otherwise.
    const adapters::CallbackAuthSettings& callback_auth() const { return auth_; }
    const std::shared_ptr<adapters::daraja::DarajaCallbacks>& callbacks() const {
        return callbacks_;
    }

    // After hodi listens on `hodi_address`:`hodi_port`: starts the fake's server (sandbox),
    // the Daraja client calling back to hodi, and the recovery of kept callbacks. False
    // (printed why) when the sandbox port cannot be bound or the credential cannot be made.
    bool start(const std::string& hodi_address, std::uint16_t hodi_port);
    // The outbox's senders for M-Pesa; SMS still goes to the sandbox stub. After start().
    adapters::Senders senders() const;
    // Stops taking callbacks and the fake's server; what is in flight finishes.
    void shutdown();

    std::uint16_t sandbox_port() const;  ///< the fake's bound port, 0 without one

private:
    PaymentRails(net::io_context& io, const PaymentSettings& payments);
    bool start_sandbox();
    std::optional<adapters::daraja::DarajaSettings> client_settings(
        const std::string& callback_base) const;

    net::io_context& io_;
    const PaymentSettings& payments_;
    std::string token_;
    adapters::CallbackAuthSettings auth_;
    std::string sandbox_initiator_password_;
    std::string sandbox_public_key_pem_;
    std::shared_ptr<adapters::OutboundHttp> outbound_;
    std::shared_ptr<adapters::daraja::DarajaCallbacks> callbacks_;
    std::shared_ptr<adapters::daraja::DarajaClient> client_;
    std::shared_ptr<adapters::Router> fake_routes_;
    std::unique_ptr<adapters::daraja::FakeDaraja> fake_;
    std::unique_ptr<adapters::HttpServer> fake_server_;
};

}  // namespace hodi::app
