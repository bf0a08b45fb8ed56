// The composition root of `hodi serve`: one Node opens, starts and stops every component
// (menu, session store, bank or demo actions, M-Pesa rails, HTTP server, outbox drainer,
// overdue sweep, signals), each from its own part of the Config, in the order that loses nothing.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "app/config.hpp"
#include "app/node_components.hpp"
#include "app/node_payments.hpp"

namespace hodi::app {

enum class NodeStatus : std::uint8_t {
    ok,
    bad_menu,      ///< the menu is missing or has errors (`hodi serve` exits 2)
    cannot_serve,  ///< the pepper, the bank or the listening port failed (`hodi serve` exits 1)
};

// Use: open(), start(), run(), stop(), on one thread; shutdown() from any thread once start()
// has returned (SIGINT and SIGTERM call it). Shutting down goes:
//   1. shutdown(): the server stops accepting and closes idle connections; the drainer and
//      the sweep start no new pass (the one in flight finishes);
//   2. in-flight requests finish within http.shutdown_grace, then the io_context stops and
//      run() returns once every network thread has;
//   3. stop(): the components go in reverse order of opening, the Store last but one: it
//      finishes its queued writes and posts their completions to the io_context, which goes
//      last, with the Node.
class Node {
public:
    explicit Node(Config config);
    ~Node();  ///< stop()
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Sets the log level, loads the menu, opens the bank (or the demo actions) and the session
    // store, and builds the HTTP handler. Nothing listens yet. Prints why it failed to stderr.
    NodeStatus open();
    // After open(): listens on http.address:http.port, starts the outbox drainer and the
    // overdue sweep (with a bank), and handles SIGINT and SIGTERM. Logs where it listens.
    NodeStatus start();
    // Serves on Config::effective_threads() threads, this one included, until shutdown() has
    // drained the server.
    void run();
    // Begins the graceful stop above; harmless when repeated, or before start().
    void shutdown();
    // After run() returned (or instead of it): releases everything, in order. Idempotent.
    void stop();

    std::uint16_t port() const;  ///< the bound port after start() (http.port 0 picks one)

private:
    void log_payments() const;

    Config config_;
    unsigned threads_;
    // Declared first, so destroyed last: everything below posts to it or holds its executor.
    net::io_context io_;
    std::optional<OpenedMenu> menu_;
    std::optional<ActionBackend> backend_;
    std::unique_ptr<PaymentRails> payments_;  ///< with a bank only
    std::shared_ptr<storage::SessionStore> sessions_;
    std::shared_ptr<adapters::MenuSource> menus_;
    std::shared_ptr<adapters::HttpHandler> handler_;
    std::unique_ptr<adapters::HttpServer> server_;
    std::unique_ptr<adapters::OutboxDrainer> drainer_;
    std::unique_ptr<storage::OverdueSweeper> sweep_;
    std::optional<net::signal_set> signals_;
    std::atomic<bool> shutting_down_{false};
};

}  // namespace hodi::app
