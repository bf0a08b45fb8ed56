// The Node's life: open, start, run, shut down, stop. See node.hpp for the order and why.
#include "app/node.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace hodi::app {

namespace {

void run_threads(net::io_context& io, unsigned count) {
    std::vector<std::thread> threads;
    threads.reserve(count - 1);
    for (unsigned index = 1; index < count; ++index) threads.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& thread : threads) thread.join();
}

}  // namespace

Node::Node(Config config)
    : config_(std::move(config)),
      threads_(config_.effective_threads()),
      io_(static_cast<int>(threads_)) {}

Node::~Node() { stop(); }

NodeStatus Node::open() {
    spdlog::set_level(spdlog::level::from_str(config_.log_level));
    menu_ = open_menu(config_.menu);
    if (!menu_) return NodeStatus::bad_menu;
    backend_ = open_actions(config_.bank, config_.pins, config_.loans, config_.payments);
    if (!backend_) return NodeStatus::cannot_serve;
    if (backend_->store) {
        payments_ = PaymentRails::open(io_, *backend_->store, config_.payments);
        if (!payments_) return NodeStatus::cannot_serve;
    }
    sessions_ = open_session_store(config_.sessions, io_, threads_);
    menus_ = make_menu_source(menu_->menu, config_.ussd);
    handler_ = make_http_handler(menus_, sessions_, backend_->actions, backend_->sealer,
                                 config_.ussd, config_.at, payments_.get());
    return NodeStatus::ok;
}

NodeStatus Node::start() {
    // Before the port opens: a SIGTERM sent as soon as hodi listens must stop it cleanly, not
    // kill it by the signal's default action.
    signals_.emplace(io_, SIGINT, SIGTERM);
    signals_->async_wait([this](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        spdlog::info("hodi: signal {} received; finishing in-flight requests", signal_number);
        shutdown();
    });
    adapters::HttpServerSettings http = config_.http;
    http.one_thread = threads_ == 1;
    server_ = std::make_unique<adapters::HttpServer>(io_, std::move(http), handler_);
    if (const auto ec = server_->start()) {
        std::cerr << "hodi serve: cannot listen on " << config_.http.address << ':'
                  << config_.http.port << ": " << ec.message() << '\n';
        return NodeStatus::cannot_serve;
    }
    if (backend_->store) {
        if (!payments_->start(config_.http.address, port())) return NodeStatus::cannot_serve;
        drainer_ = make_drainer(io_.get_executor(), *backend_->store, config_.payments,
                                payments_->senders());
        drainer_->start();
        sweep_ = make_overdue_sweep(io_.get_executor(), *backend_->store);
        sweep_->start();
    }
    const std::string url = "http://" + config_.http.address + ':' + std::to_string(port());
    // The token is a secret: the hint names where it goes, never the token itself.
    const std::string_view route =
        config_.at.callbacks.token ? "/ussd/at/<at.callback_token>" : "/ussd/at";
    spdlog::info("hodi listening on {} ({} threads, menu '{}' from {}, {} sessions, {}); "
                 "dial it with: hodi sim --url {}{}",
                 url, threads_, menu_->menu->name, menu_->file.string(),
                 config_.sessions.backend == SessionBackend::redis ? "redis" : "memory",
                 backend_->store ? "bank " + config_.bank.store.path.string() : "demo actions",
                 url, route);
    if (payments_) log_payments();
    if (config_.at.insecure_open && !config_.at.callbacks.token &&
        config_.at.callbacks.allow_from.empty()) {
        spdlog::warn("at.insecure_open: the USSD callbacks are open to anyone who reaches {} "
                     "and can act as any phone", url);
    }
    return NodeStatus::ok;
}

void Node::log_payments() const {
    if (config_.payments.mode == Payments::sandbox) {
        spdlog::warn("payments: SANDBOX - M-Pesa is the fake Daraja on http://{}:{}; no real "
                     "money moves (payments.mode daraja goes live)",
                     config_.payments.sandbox_address, payments_->sandbox_port());
        return;
    }
    spdlog::info("payments: Daraja at {}; results come back to {}/daraja/<token>",
                 config_.payments.daraja.api.base_url, config_.payments.daraja.public_url);
}

void Node::run() { run_threads(io_, threads_); }

void Node::shutdown() {
    if (shutting_down_.exchange(true)) return;
    // The loops first: a pass in flight finishes, but none starts while requests drain.
    if (drainer_) drainer_->stop();
    if (sweep_) sweep_->stop();
    if (payments_) payments_->shutdown();
    if (!server_) {
        io_.stop();
        return;
    }
    server_->shutdown([this] { io_.stop(); });
}

void Node::stop() {
    // No network thread runs now, so no handler touches what goes here. The loops go before
    // the Store they write to; the server and handler before the stores a hop uses.
    signals_.reset();
    sweep_.reset();
    drainer_.reset();
    payments_.reset();
    server_.reset();
    handler_.reset();
    menus_.reset();
    sessions_.reset();
    // The actions, then the Bank, then the Store, which finishes its queued writes first.
    backend_.reset();
}

std::uint16_t Node::port() const { return server_ ? server_->port() : config_.http.port; }

}  // namespace hodi::app
